package dist

import (
	"debug/elf"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// arm64Sysroot is where Debian's libc6-arm64-cross puts the arm64 C library and
// its loader, for qemu-user's -L.
const arm64Sysroot = "/usr/aarch64-linux-gnu"

// The linux/arm64 engine, built with cgo by the cross compiler, is an aarch64
// executable for the arm64 loader; under qemu-user it prints its version, serves
// /health with it and stops cleanly on SIGINT. Its .deb is for arm64 and holds the
// same files as the amd64 one; SHA256SUMS covers both arm64 artefacts.
func TestLinuxArm64Engine(t *testing.T) {
	t.Parallel()
	a := dist(t)
	qemu := testpeer.Need(t, "qemu-aarch64-static")
	if _, err := os.Stat(filepath.Join(arm64Sysroot, "lib", "ld-linux-aarch64.so.1")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no arm64 C library for qemu (libc6-arm64-cross): %v", err)
		}
		t.Skipf("no arm64 C library for qemu (libc6-arm64-cross): %v", err)
	}

	dir := t.TempDir()
	run(t, "tar", "-C", dir, "-xzf", a.tarArm64)
	bin := filepath.Join(dir, "wpservice-"+testVersion+"-linux-arm64", "wpservice")
	checkArm64ELF(t, bin)
	if out := run(t, qemu, "-L", arm64Sysroot, bin, "version"); !strings.HasPrefix(out, "wpservice "+testVersion+" ") {
		t.Errorf("the arm64 engine's version printed %q", out)
	}
	e := newLinuxUser(t).startCommand(t, 2*time.Minute, qemu, "-L", arm64Sysroot, bin, "run")
	if h := health(t, e.port); h.Version != testVersion {
		t.Errorf("the arm64 engine's /health: %+v, want version %s", h, testVersion)
	}
	e.stop(t)

	if arch := strings.TrimSpace(run(t, "dpkg-deb", "--field", a.debArm64, "Architecture")); arch != "arm64" {
		t.Errorf("%s is for %q, want arm64", filepath.Base(a.debArm64), arch)
	}
	if arm, amd := debFiles(t, a.debArm64), debFiles(t, a.deb); !slices.Equal(arm, amd) {
		t.Errorf("the arm64 package holds %v, the amd64 one %v", arm, amd)
	}
	sums := readFile(t, filepath.Join(a.dir, "SHA256SUMS"))
	for _, f := range []string{a.debArm64, a.tarArm64} {
		if !strings.Contains(sums, "  "+filepath.Base(f)+"\n") {
			t.Errorf("SHA256SUMS does not list %s:\n%s", filepath.Base(f), sums)
		}
	}
}

// checkArm64ELF fails the test unless bin is a 64-bit aarch64 executable that asks
// for the arm64 loader (a cgo build: a Go-only one would be static).
func checkArm64ELF(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
		t.Errorf("%s is for %v %v, want EM_AARCH64 ELFCLASS64", bin, f.Machine, f.Class)
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		interp := make([]byte, p.Filesz)
		if _, err := p.ReadAt(interp, 0); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimRight(string(interp), "\x00"); got != "/lib/ld-linux-aarch64.so.1" {
			t.Errorf("the arm64 engine asks for the loader %q", got)
		}
		return
	}
	t.Errorf("the arm64 engine has no loader: not the cgo build")
}

package dist

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// SHA256SUMS lists every artefact, and each checksum holds.
func TestChecksumsCoverEveryArtefact(t *testing.T) {
	a := dist(t)
	cmd := exec.Command("sha256sum", "--check", "--strict", "SHA256SUMS")
	cmd.Dir = a.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum --check: %v\n%s", err, out)
	}
	for _, f := range []string{a.windows, a.installer, a.deb, a.tarball} {
		name := f[strings.LastIndexByte(f, '/')+1:]
		if !bytes.Contains(out, []byte(name+": OK")) {
			t.Errorf("SHA256SUMS does not cover %s:\n%s", name, out)
		}
	}
}

// The Windows engine carries its C runtime: it imports only DLLs every Windows has.
func TestWindowsEngineImportsOnlySystemDLLs(t *testing.T) {
	a := dist(t)
	out, err := exec.Command("x86_64-w64-mingw32-objdump", "-p", a.windows).Output()
	if err != nil {
		t.Fatal(err)
	}
	var dlls []string
	for _, line := range strings.Split(string(out), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "DLL Name: "); ok {
			dlls = append(dlls, name)
		}
	}
	if len(dlls) == 0 {
		t.Fatal("objdump shows no imported DLL")
	}
	for _, dll := range dlls {
		switch strings.ToLower(dll) {
		case "kernel32.dll", "msvcrt.dll", "advapi32.dll", "ws2_32.dll", "winmm.dll", "ole32.dll", "user32.dll",
			"shell32.dll", "bcrypt.dll", "crypt32.dll", "iphlpapi.dll", "ntdll.dll":
		default:
			t.Errorf("the Windows engine imports %s, which Windows does not ship (imports: %v)", dll, dlls)
		}
	}
}

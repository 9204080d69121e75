package dist

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// wine64 is Debian's 64-bit wine loader (the package puts no wine64 on PATH).
const (
	wine64     = "/usr/lib/wine/wine64"
	wineserver = "/usr/lib/wine/wineserver"
)

// prefix is a fresh wine prefix: a Windows user profile of its own under a temp dir.
type prefix struct {
	dir string
	env []string // more environment for its commands, such as WINEPATH
}

// newPrefix makes a wine prefix for t, with the bcryptprimitives.dll that wine 8
// lacks and every Go program needs. Its wine processes are ended and the prefix
// removed when t ends.
func newPrefix(t *testing.T) *prefix {
	t.Helper()
	if _, err := os.Stat(wine64); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("wine64 missing: install with scripts/deps.sh (%v)", err)
		}
		t.Skipf("wine64 missing: install with scripts/deps.sh (%v)", err)
	}
	gcc := testpeer.Need(t, "x86_64-w64-mingw32-gcc")
	p := &prefix{dir: t.TempDir()}
	t.Cleanup(func() {
		// Ends every process of this prefix (only ours) before its files go.
		p.command(context.Background(), wineserver, "-k").Run()
	})
	p.run(t, 2*time.Minute, wine64, "wineboot", "--init")

	shim := filepath.Join(t.TempDir(), "bcryptprimitives.dll")
	if out, err := exec.Command(gcc, "-O2", "-shared", "-o", shim, "testdata/bcryptprimitives.c", "-lbcrypt").CombinedOutput(); err != nil {
		t.Fatalf("building the bcryptprimitives shim: %v\n%s", err, out)
	}
	data, err := os.ReadFile(shim)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "drive_c", "windows", "system32", "bcryptprimitives.dll"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// command is a wine command in the prefix.
func (p *prefix) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "WINEPREFIX="+p.dir, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=")
	cmd.Env = append(cmd.Env, p.env...)
	return cmd
}

// run runs a wine command that must succeed within d and returns its output.
func (p *prefix) run(t *testing.T, d time.Duration, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	out, err := p.command(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("wine %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// wait waits, up to d, until every process of the prefix has ended.
func (p *prefix) wait(t *testing.T, d time.Duration) {
	t.Helper()
	p.run(t, d, wineserver, "-w")
}

// user is the profile directory of the prefix's user, on the Linux side.
func (p *prefix) user(t *testing.T) string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(p.dir, "drive_c", "users", "*", "AppData"))
	for _, d := range dirs {
		if !strings.Contains(d, "Public") {
			return filepath.Dir(d)
		}
	}
	t.Fatalf("no user profile in the wine prefix (%v)", err)
	return ""
}

// regQuery reports whether a registry value exists, and its line from reg query.
func (p *prefix) regQuery(t *testing.T, key, value string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := p.command(ctx, wine64, "reg", "query", key, "/v", value).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.EqualFold(f[0], value) {
			return strings.TrimSpace(line), err == nil
		}
	}
	return "", false
}

// winPath is the Windows path of a Linux path, through wine's Z: drive.
func winPath(linux string) string {
	return "Z:" + strings.ReplaceAll(linux, "/", `\`)
}

// udpWorks reports whether Go programs can open UDP sockets in the prefix, and
// why not. Wine 8.0 (Debian 12) cannot: Go sets SIO_UDP_NETRESET on every UDP
// socket since 1.23, and that wine answers WSAEOPNOTSUPP, so the engine cannot
// listen for SIP there.
func (p *prefix) udpWorks(t *testing.T) (bool, string) {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "udpprobe.exe")
	// -trimpath as the release builds: the standard library comes from their cache.
	build := exec.Command("go", "build", "-trimpath", "-o", exe, "./testdata/udpprobe")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building udpprobe: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := p.command(ctx, wine64, exe).CombinedOutput()
	return err == nil, strings.TrimSpace(string(out))
}

// install runs a Windows installer silently, within d, in the directory cwd (the
// test's when empty), and fails the test if it fails. Its output goes to a file,
// not a pipe: the engine the installer starts inherits the handles and outlives it.
func (p *prefix) install(t *testing.T, d time.Duration, cwd, installer string, args ...string) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "install-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := p.command(ctx, wine64, append([]string{installer, "/S"}, args...)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = cwd, out, out
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(out.Name())
		t.Fatalf("%s /S %s: %v\n%s", filepath.Base(installer), strings.Join(args, " "), err, log)
	}
}

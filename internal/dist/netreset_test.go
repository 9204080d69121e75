package dist

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// netresetCheck matches, in GOROOT's net/fd_windows.go, the SIO_UDP_NETRESET
// WSAIoctl that netFD.init makes on every UDP socket and the error check that
// makes its failure fatal.
var netresetCheck = regexp.MustCompile(`(?m)^(\s*)err = (syscall\.WSAIoctl\([^\n]*windows\.SIO_UDP_NETRESET[^\n]*\))\n\s*if err != nil \{\n\s*return wrapSyscallError\("wsaioctl", err\)\n\s*\}\n`)

// tolerantNetFD is GOROOT's net/fd_windows.go with the SIO_UDP_NETRESET
// ioctl's error ignored. Windows has that ioctl; wine 8 refuses it
// (WSAEOPNOTSUPP), which otherwise fails every UDP socket a Go program opens.
// It fails when the file no longer has that check in the expected form, so a
// new toolchain cannot quietly leave the wine tests without UDP.
func tolerantNetFD(src string) (string, error) {
	if n := len(netresetCheck.FindAllStringIndex(src, -1)); n != 1 {
		return "", fmt.Errorf("net/fd_windows.go: found the SIO_UDP_NETRESET error check %d times, want once: the file changed, update netresetCheck", n)
	}
	return netresetCheck.ReplaceAllString(src, "${1}// Ignored for the wine tests: wine 8 lacks this ioctl.\n${1}_ = ${2}\n"), nil
}

// wineRelease is the Windows engine of testVersion built, with installer/dist.sh
// as the release is, but through a go build overlay that replaces net/fd_windows.go
// with tolerantNetFD's copy: an engine that opens UDP sockets under wine 8. Only
// the wine tests run it; the released engine is never built this way.
var wineRelease struct {
	once sync.Once
	exe  string
	err  error
}

// wineEngine builds, once per test binary, the engine that tolerates wine's
// missing SIO_UDP_NETRESET and returns its path.
func wineEngine(t *testing.T) string {
	t.Helper()
	dist(t) // the same tools, and the build cache warm
	wineRelease.once.Do(buildWineRelease)
	if wineRelease.err != nil {
		t.Fatal(wineRelease.err)
	}
	return wineRelease.exe
}

func buildWineRelease() { wineRelease.exe, wineRelease.err = buildWineEngine() }

func buildWineEngine() (string, error) {
	dir, err := tempBuildDir("wpservice-wine-")
	if err != nil {
		return "", err
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	orig := filepath.Join(strings.TrimSpace(string(goroot)), "src", "net", "fd_windows.go")
	src, err := os.ReadFile(orig)
	if err != nil {
		return "", err
	}
	patched, err := tolerantNetFD(string(src))
	if err != nil {
		return "", err
	}
	copyPath, overlay := filepath.Join(dir, "fd_windows.go"), filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(copyPath, []byte(patched), 0o644); err != nil {
		return "", err
	}
	o, _ := json.Marshal(map[string]any{"Replace": map[string]string{orig: copyPath}})
	if err := os.WriteFile(overlay, o, 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command("bash", filepath.Join(repoRoot(), "installer", "dist.sh"), testVersion, out, "windows")
	cmd.Env = append(os.Environ(), "GOFLAGS=-overlay="+overlay)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("installer/dist.sh with the net overlay: %v\n%s", err, b)
	}
	return filepath.Join(out, "wpservice-"+testVersion+"-windows-amd64.exe"), nil
}

// The overlay's patch applies to the installed toolchain's net/fd_windows.go,
// and leaves the SIO_UDP_CONNRESET check, and every other line, as it was.
func TestTolerantNetFDPatchesOnlyNetreset(t *testing.T) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "src", "net", "fd_windows.go"))
	if err != nil {
		t.Fatal(err)
	}
	patched, err := tolerantNetFD(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(patched, `return wrapSyscallError("wsaioctl", err)`) != strings.Count(string(src), `return wrapSyscallError("wsaioctl", err)`)-1 {
		t.Errorf("the patch removed other wsaioctl checks than SIO_UDP_NETRESET's:\n%s", patched)
	}
	if !strings.Contains(patched, "_ = syscall.WSAIoctl(fd.pfd.Sysfd, windows.SIO_UDP_NETRESET,") {
		t.Errorf("the SIO_UDP_NETRESET ioctl is no longer made:\n%s", patched)
	}
	if _, err := tolerantNetFD(patched); err == nil {
		t.Error("a file without the check was patched again; want an error")
	}
}

package dist

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The uninstaller removes the local CA that "wpservice trust install" put in the
// user's Root store. Wine's certutil.exe is a stub that stores nothing, so the
// store here is testdata/certutil, first on the prefix's PATH (WINEPATH): it
// keeps the store's names and records the command lines the engine runs, which
// are Windows' (certutil -user -addstore/-store/-delstore Root).
func TestInstallerUninstallRemovesLocalCA(t *testing.T) {
	t.Parallel()
	a := dist(t)
	certutil := fakeCertutil(t)
	p := newPrefix(t)
	p.env = append(p.env, "WINEPATH="+winPath(filepath.Dir(certutil.exe)))
	home := p.user(t)
	appDir := filepath.Join(home, "AppData", "Local", "wpservice")
	dataDir := filepath.Join(home, "AppData", "Roaming", "wpservice")
	cfg, _ := engineConfig(t) // the engine the installer starts stays up under wine
	writeJSON(t, filepath.Join(dataDir, "config.json"), cfg)

	p.install(t, 2*time.Minute, "", a.installer)
	engine := filepath.Join(appDir, "wpservice.exe")
	out := p.run(t, time.Minute, wine64, engine, "trust", "install")
	m := regexp.MustCompile(`(?m)^local CA (.+)$`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "trusted        Windows user Root store") {
		t.Fatalf("trust install printed:\n%s", out)
	}
	nick := strings.TrimSpace(m[1])
	if got := certutil.store(t); !slices.Equal(got, []string{nick}) {
		t.Fatalf("after trust install the Root store holds %q, want %q", got, nick)
	}
	p.run(t, time.Minute, wine64, engine, "trust", "status") // fails unless trusted

	p.run(t, time.Minute, wine64, filepath.Join(appDir, "uninstall.exe"), "/S")
	p.wait(t, 2*time.Minute)
	if got := certutil.store(t); len(got) != 0 {
		t.Errorf("after uninstall the Root store still holds %q\ncertutil calls:\n%s", got, certutil.calls(t))
	}
	if calls := certutil.calls(t); !strings.Contains(calls, "-user\t-delstore\tRoot\t"+nick+"\n") {
		t.Errorf("the uninstaller did not delete %q from the Root store; certutil calls:\n%s", nick, calls)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "config.json")); err != nil {
		t.Errorf("uninstall without /PURGE removed the user's settings: %v", err)
	}
}

// certutilFake is testdata/certutil built for Windows, alone in a directory.
type certutilFake struct {
	exe string
}

func fakeCertutil(t *testing.T) certutilFake {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "certutil.exe")
	// -trimpath as the release builds: the standard library comes from their cache.
	build := exec.Command("go", "build", "-trimpath", "-o", exe, "./testdata/certutil")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the certutil stand-in: %v\n%s", err, out)
	}
	return certutilFake{exe: exe}
}

// store is the names of the certificates in the user's Root store.
func (c certutilFake) store(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(filepath.Dir(c.exe), "root.txt"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.FieldsFunc(string(data), func(r rune) bool { return r == '\n' })
}

// calls is every command line certutil was given, one a line, arguments
// tab-separated.
func (c certutilFake) calls(t *testing.T) string {
	t.Helper()
	data, _ := os.ReadFile(filepath.Join(filepath.Dir(c.exe), "calls.log"))
	return string(data)
}

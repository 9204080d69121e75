package dist

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

const (
	runKey       = `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`
	uninstallKey = `HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\wpservice`
)

// The per-user installer, silent, in a fresh wine prefix: the engine in
// %LocalAppData%\wpservice, started now (its /health answers) and at logon (the Run
// key; checked where wine lets Go open UDP sockets), a Start-menu entry for the softphone page and an Apps & features entry. The
// silent uninstall stops the engine and removes all of that but the user's settings,
// which go too with /PURGE.
func TestInstallerInstallsAndUninstalls(t *testing.T) {
	t.Parallel()
	a := dist(t)
	p := newPrefix(t)
	home := p.user(t)
	appDir := filepath.Join(home, "AppData", "Local", "wpservice")
	dataDir := filepath.Join(home, "AppData", "Roaming", "wpservice")
	startMenu := filepath.Join(home, "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "wpservice.url")

	// The user's settings, before the install: a free control port (the default
	// one may be taken on the test machine) and no sound card.
	port := testpeer.FreePort(t)
	writeJSON(t, filepath.Join(dataDir, "config.json"), map[string]any{
		"control": map[string]any{"port": port, "fallbackPorts": []int{}},
		"sip":     map[string]any{"listenIP": "127.0.0.1"},
		"audio":   map[string]any{"backend": "null"},
	})

	p.run(t, 2*time.Minute, wine64, a.installer, "/S")
	for _, f := range []string{filepath.Join(appDir, "wpservice.exe"), filepath.Join(appDir, "uninstall.exe"), startMenu} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after install: %v", err)
		}
	}
	if url, _ := os.ReadFile(startMenu); !strings.Contains(string(url), "URL=http://127.0.0.1:18620/") {
		t.Errorf("Start-menu entry:\n%s", url)
	}
	if line, ok := p.regQuery(t, runKey, "wpservice"); !ok || !strings.Contains(line, `\wpservice\wpservice.exe" run`) {
		t.Errorf("Run key: %q", line)
	}
	if line, ok := p.regQuery(t, uninstallKey, "QuietUninstallString"); !ok || !strings.Contains(line, `uninstall.exe" /S`) {
		t.Errorf("Uninstall key: %q", line)
	}
	if line, ok := p.regQuery(t, uninstallKey, "DisplayVersion"); !ok || !strings.HasSuffix(line, testVersion) {
		t.Errorf("DisplayVersion: %q", line)
	}
	udp, why := p.udpWorks(t)
	if udp {
		waitHealthy(t, port, 90*time.Second)
	} else {
		t.Logf("the engine's start is not checked: this wine cannot open Go's UDP sockets (%s)", why)
	}

	// The uninstaller runs from a copy of itself and returns at once; the prefix's
	// processes all end once it has finished and stopped the engine.
	p.run(t, time.Minute, wine64, filepath.Join(appDir, "uninstall.exe"), "/S")
	p.wait(t, 2*time.Minute)
	if _, err := os.Stat(appDir); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(appDir)
		t.Errorf("uninstall left %s: %v", appDir, entries)
	}
	if _, err := os.Stat(startMenu); !os.IsNotExist(err) {
		t.Errorf("uninstall left the Start-menu entry: %v", err)
	}
	if line, ok := p.regQuery(t, runKey, "wpservice"); ok {
		t.Errorf("uninstall left the Run key: %q", line)
	}
	if line, ok := p.regQuery(t, uninstallKey, "DisplayName"); ok {
		t.Errorf("uninstall left the Apps & features entry: %q", line)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "config.json")); err != nil {
		t.Errorf("uninstall without /PURGE removed the user's settings: %v", err)
	}
	if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", port)); err == nil {
		resp.Body.Close()
		t.Errorf("the engine still answers after uninstall")
	}

	// Installed again, and removed with /PURGE: the settings go too.
	p.run(t, 2*time.Minute, wine64, a.installer, "/S")
	if udp {
		waitHealthy(t, port, 90*time.Second)
	}
	p.run(t, time.Minute, wine64, filepath.Join(appDir, "uninstall.exe"), "/S", "/PURGE")
	p.wait(t, 2*time.Minute)
	for _, d := range []string{appDir, dataDir} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("uninstall /PURGE left %s: %v", d, err)
		}
	}
}

// waitHealthy waits until the engine's /health on port answers 200.
func waitHealthy(t *testing.T, port int, d time.Duration) {
	t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	deadline := time.Now().Add(d)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer within %v: %v", url, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// health is the engine's answer to GET /health.
func health(t *testing.T, port int) api.Health {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", port))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h api.Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

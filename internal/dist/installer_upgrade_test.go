package dist

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

// pairedOrigin is the site the upgrade tests pair before the upgrade.
const pairedOrigin = "https://paired.example.com"

// Version N installed for one user with a provisioning config (/CONFIG, given
// relative to the caller's directory, becomes the user's config), an account set through the running engine (its
// password in the Credential Manager) and a paired site; version N+1 installed
// over it stops the old engine, puts the new one in place and starts it, keeps the
// Run key, Start-menu entry and Apps & features entry (with the new version), and
// keeps every file of the user's data; the new engine has the account.
func TestInstallerUpgradeKeepsEverything(t *testing.T) {
	t.Parallel()
	a, b := dist(t), distNext(t)
	p := newPrefix(t)
	home := p.user(t)
	appDir := filepath.Join(home, "AppData", "Local", "wpservice")
	dataDir := filepath.Join(home, "AppData", "Roaming", "wpservice")
	startMenu := filepath.Join(home, "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "wpservice.url")

	cfg, port := engineConfig(t)
	provisioned := filepath.Join(t.TempDir(), "provisioned.json")
	writeJSON(t, provisioned, cfg)
	// A relative /CONFIG path is the caller's.
	p.install(t, 2*time.Minute, filepath.Dir(provisioned), a.installer, "/CONFIG=provisioned.json")
	if got := readFile(t, filepath.Join(dataDir, "config.json")); got != readFile(t, provisioned) {
		t.Errorf("/CONFIG did not become the user's config:\n%s", got)
	}
	waitVersion(t, port, testVersion)
	c := connect(t, port, dataDir)
	c.do(api.CmdAccountSet.Name, map[string]any{"server": "127.0.0.1", "username": "alice", "password": "secret", "register": false}, nil)
	var historyBefore api.HistoryPage
	c.do(api.CmdHistoryList.Name, map[string]any{}, &historyBefore)
	c.conn.Close()
	// The pairing is written from this side, whose pairing code wants an owner-only
	// folder; on Windows the profile's ACL stands for that.
	if err := os.Chmod(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := pairing.Open(pairing.Config{Path: filepath.Join(dataDir, "pairings.json")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Request(pairedOrigin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(pairedOrigin); err != nil {
		t.Fatal(err)
	}
	before := dirFiles(t, dataDir)
	for _, f := range []string{"config.json", "token", "account.json", "pairings.json"} {
		if _, ok := before[f]; !ok {
			t.Fatalf("version N's engine made no %s (files: %v)", f, slices.Sorted(maps.Keys(before)))
		}
	}

	p.install(t, 2*time.Minute, "", b.installer)
	if out := p.run(t, time.Minute, wine64, filepath.Join(appDir, "wpservice.exe"), "version"); !strings.HasPrefix(out, "wpservice "+nextVersion+" ") {
		t.Errorf("after the upgrade, version printed %q", out)
	}
	if line, ok := p.regQuery(t, runKey, "wpservice"); !ok || !strings.Contains(line, `\wpservice\wpservice.exe" run`) {
		t.Errorf("after the upgrade, Run key: %q", line)
	}
	if line, ok := p.regQuery(t, uninstallKey, "DisplayVersion"); !ok || !strings.HasSuffix(line, nextVersion) {
		t.Errorf("after the upgrade, DisplayVersion: %q", line)
	}
	for _, f := range []string{filepath.Join(appDir, "uninstall.exe"), startMenu} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after the upgrade: %v", err)
		}
	}
	waitVersion(t, port, nextVersion)
	after := dirFiles(t, dataDir)
	for name, data := range before {
		if strings.HasSuffix(name, "-wal") || strings.HasSuffix(name, "-shm") || strings.HasSuffix(name, "-journal") {
			continue // SQLite's own files beside the history: rewritten or removed each time it opens
		}
		if name == "history.db" {
			// Its pages are SQLite's to rewrite (the old engine's checkpoint as it
			// closes, a migration of the new one): what it holds is compared below.
			if _, ok := after[name]; !ok {
				t.Errorf("the upgrade removed the user's %s", name)
			}
			continue
		}
		if after[name] != data {
			t.Errorf("the upgrade changed or removed the user's %s", name)
		}
	}
	c = connect(t, port, dataDir)
	if acc := c.hello.Snapshot.Account; acc.Username != "alice" || !acc.HasPassword {
		t.Errorf("version N+1 lost the account: %+v", acc)
	}
	var historyAfter api.HistoryPage
	c.do(api.CmdHistoryList.Name, map[string]any{}, &historyAfter)
	if !slices.EqualFunc(historyBefore.Calls, historyAfter.Calls, func(x, y api.CallRecord) bool { return x.ID == y.ID }) {
		t.Errorf("version N+1's history %+v, want version N's %+v", historyAfter.Calls, historyBefore.Calls)
	}
}

// waitVersion waits until the engine on port answers /health with version: the
// engine an install started, and not one it should have stopped.
func waitVersion(t *testing.T, port int, version string) {
	t.Helper()
	var h api.Health
	waitFor(t, 90*time.Second, func() bool {
		h = api.Health{}
		if tryHealth(port, &h) != nil {
			return false
		}
		return h.Version == version
	}, func() string { return "the engine's /health says " + h.Version + ", want " + version })
}

// tryHealth reads the engine's /health on port into h.
func tryHealth(port int, h *api.Health) error {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", port))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(h)
}

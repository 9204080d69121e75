package dist

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

const (
	machineRunKey       = `HKLM\Software\Microsoft\Windows\CurrentVersion\Run`
	machineUninstallKey = `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\wpservice`
)

// An install for every user (/ALLUSERS) with a provisioning config (/CONFIG):
// the engine in Program Files, the HKLM Run key, the all-users Start menu, an HKLM
// Apps & features entry and the config as the machine's; nothing in the user's
// HKCU. The engine the Run key starts reads that machine config. The silent
// uninstall removes all of it but the machine config, which goes with /PURGE.
// Before that, a /CONFIG file that does not exist fails the install, which then
// installs nothing.
func TestInstallerForAllUsersWithConfig(t *testing.T) {
	t.Parallel()
	a := dist(t)
	p := newPrefix(t)
	home := p.user(t)
	programDir := filepath.Join(p.dir, "drive_c", "Program Files", "wpservice")
	machineDir := filepath.Join(p.dir, "drive_c", "ProgramData", "wpservice")
	startMenu := filepath.Join(p.dir, "drive_c", "ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "wpservice.url")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	missing := winPath(filepath.Join(t.TempDir(), "missing.json"))
	if out, err := p.command(ctx, wine64, a.installer, "/S", "/ALLUSERS", "/CONFIG="+missing).CombinedOutput(); err == nil {
		t.Errorf("the install with a missing /CONFIG succeeded:\n%s", out)
	}
	if _, err := os.Stat(programDir); !os.IsNotExist(err) {
		t.Errorf("the refused install installed files: %v", err)
	}

	cfg, port := engineConfig(t, "https://crm.example.com")
	provisioned := filepath.Join(t.TempDir(), "provisioned.json")
	writeJSON(t, provisioned, cfg)

	p.install(t, 2*time.Minute, "", a.installer, "/ALLUSERS", "/CONFIG="+winPath(provisioned))
	for _, f := range []string{filepath.Join(programDir, "wpservice.exe"), filepath.Join(programDir, "uninstall.exe"), startMenu} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after install: %v", err)
		}
	}
	if got := readFile(t, filepath.Join(machineDir, "config.json")); got != readFile(t, provisioned) {
		t.Errorf("the machine config is not the provisioned one:\n%s", got)
	}
	runLine, ok := p.regQuery(t, machineRunKey, "wpservice")
	if !ok || !strings.Contains(runLine, `\Program Files\wpservice\wpservice.exe" run`) {
		t.Errorf("HKLM Run key: %q", runLine)
	}
	if line, ok := p.regQuery(t, machineUninstallKey, "QuietUninstallString"); !ok || !strings.Contains(line, `\Program Files\wpservice\uninstall.exe" /S`) {
		t.Errorf("HKLM Uninstall key: %q", line)
	}
	if line, ok := p.regQuery(t, machineUninstallKey, "DisplayVersion"); !ok || !strings.HasSuffix(line, testVersion) {
		t.Errorf("DisplayVersion: %q", line)
	}
	if line, ok := p.regQuery(t, runKey, "wpservice"); ok {
		t.Errorf("an install for every user wrote the user's Run key: %q", line)
	}
	if line, ok := p.regQuery(t, uninstallKey, "DisplayName"); ok {
		t.Errorf("an install for every user wrote the user's Apps & features entry: %q", line)
	}
	if _, err := os.Stat(filepath.Join(home, "AppData", "Local", "wpservice")); !os.IsNotExist(err) {
		t.Errorf("an install for every user wrote to the user's LocalAppData: %v", err)
	}

	// A user's logon: the Run key's command, which reads the machine config.
	logon, endLogon := context.WithCancel(context.Background())
	engine := p.command(logon, wine64, filepath.Join(programDir, "wpservice.exe"), "run")
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { endLogon(); engine.Wait() })
	waitHealthy(t, port, 90*time.Second)
	c := connect(t, port, filepath.Join(home, "AppData", "Roaming", "wpservice"))
	if !slices.Equal(c.hello.Snapshot.Config, []string{config.SourceMachine}) {
		t.Errorf("the engine at logon read the configs %v, want the machine's", c.hello.Snapshot.Config)
	}

	p.run(t, time.Minute, wine64, filepath.Join(programDir, "uninstall.exe"), "/S")
	p.wait(t, 2*time.Minute)
	if _, err := os.Stat(programDir); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(programDir)
		t.Errorf("uninstall left %s: %v", programDir, entries)
	}
	if _, err := os.Stat(startMenu); !os.IsNotExist(err) {
		t.Errorf("uninstall left the Start-menu entry: %v", err)
	}
	if line, ok := p.regQuery(t, machineRunKey, "wpservice"); ok {
		t.Errorf("uninstall left the HKLM Run key: %q", line)
	}
	if line, ok := p.regQuery(t, machineUninstallKey, "DisplayName"); ok {
		t.Errorf("uninstall left the HKLM Apps & features entry: %q", line)
	}
	if _, err := os.Stat(filepath.Join(machineDir, "config.json")); err != nil {
		t.Errorf("uninstall without /PURGE removed the machine config: %v", err)
	}

	p.install(t, 2*time.Minute, "", a.installer, "/ALLUSERS")
	p.run(t, time.Minute, wine64, filepath.Join(programDir, "uninstall.exe"), "/S", "/PURGE")
	p.wait(t, 2*time.Minute)
	for _, d := range []string{programDir, machineDir} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("uninstall /PURGE left %s: %v", d, err)
		}
	}
}

// engineConfig is a config for an engine under wine, and its control port: free
// ports, the provisioned origins, loopback, no SIP UDP socket (wine 8 cannot open
// Go's) and no sound card.
func engineConfig(t *testing.T, origins ...string) (map[string]any, int) {
	t.Helper()
	port, sipPort := testpeer.FreePort(t), testpeer.FreePort(t)
	return map[string]any{
		"control": map[string]any{"port": port, "fallbackPorts": []int{}, "allowedOrigins": append([]string{}, origins...)},
		"sip":     map[string]any{"listenIP": "127.0.0.1", "udp": false, "udpPort": sipPort, "tcpPort": sipPort},
		"audio":   map[string]any{"backend": "null"},
	}, port
}

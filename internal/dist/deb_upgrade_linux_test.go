package dist

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/pairing"
	"github.com/wpservice/wpservice/internal/testpeer"
)

const (
	machineDir    = "/etc/wpservice"
	machineConfig = machineDir + "/config.json"
)

// The package's /etc/wpservice holds a README and an example the engine does not
// read; the example is a valid config.
func TestDebExampleConfigIsValidAndInactive(t *testing.T) {
	a := dist(t)
	files := debFiles(t, a.deb)
	for _, f := range []string{machineDir + "/README", machineDir + "/config.json.example"} {
		if !slices.Contains(files, f) {
			t.Errorf("the package lacks %s (it holds %v)", f, files)
		}
	}
	if slices.Contains(files, machineConfig) {
		t.Errorf("the package holds %s: the machine config would be active, and replaced on upgrade", machineConfig)
	}
	conffiles := run(t, "sh", "-c", "dpkg-deb --ctrl-tarfile \"$1\" | tar -xOf - ./conffiles", "sh", a.deb)
	for _, f := range []string{machineDir + "/README", machineDir + "/config.json.example"} {
		if !slices.Contains(strings.Fields(conffiles), f) {
			t.Errorf("%s is not a conffile (conffiles: %q)", f, conffiles)
		}
	}
	if _, err := config.Load(filepath.Join(repoRoot(), "installer", "linux", "etc", "config.json.example")); err != nil {
		t.Errorf("the example config is not valid: %v", err)
	}
}

// Version N installed, the administrator's machine config and a user's config,
// account (its password in the keyring's fallback file, as on a machine without a
// Secret Service) and pairing: version N+1 installed over it keeps every one of
// them, the unit stays enabled, the new engine is in place and uses them all.
// Removing keeps the machine config; purging removes it with /etc/wpservice.
func TestDebUpgradeKeepsEverything(t *testing.T) {
	a, b := dist(t), distNext(t)
	needRoot(t)
	testpeer.Need(t, "dpkg")
	if st, _ := dpkgStatus("wpservice"); st != "" && !strings.Contains(st, "not-installed") {
		t.Skipf("a wpservice package is already installed on this machine (%s); not touching it", st)
	}
	if _, err := os.Stat(machineConfig); err == nil {
		t.Skipf("%s exists on this machine; not touching it", machineConfig)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("dpkg", "--purge", "wpservice").CombinedOutput(); err != nil {
			t.Errorf("dpkg --purge: %v\n%s", err, out)
		}
		os.Remove(machineConfig) // if the purge failed
		os.Remove(machineDir)
	})

	run(t, "dpkg", "--install", a.deb)
	writeJSON(t, machineConfig, map[string]any{"control": map[string]any{"allowedOrigins": []string{"https://crm.example.com"}}})
	machineBefore := readFile(t, machineConfig)
	u := newLinuxUser(t)
	e := u.start(t)
	if h := health(t, e.port); h.Version != testVersion {
		t.Errorf("version N's /health: %+v", h)
	}
	c := connect(t, e.port, u.dataDir)
	c.do(api.CmdAccountSet.Name, map[string]any{"server": "127.0.0.1", "username": "alice", "password": "secret", "register": false}, nil)
	e.stop(t)
	u.pair(t, pairedOrigin)
	before := u.files(t)
	for _, f := range []string{"config.json", "token", "account.json", "secrets.json", "pairings.json"} {
		if _, ok := before[f]; !ok {
			t.Fatalf("version N's engine made no %s (files: %v)", f, slices.Sorted(maps.Keys(before)))
		}
	}

	run(t, "dpkg", "--install", b.deb)
	if out := run(t, "/usr/bin/wpservice", "version"); !strings.HasPrefix(out, "wpservice "+nextVersion+" ") {
		t.Errorf("after the upgrade, wpservice version printed %q", out)
	}
	if target, err := os.Readlink(enabledLink); err != nil || target != "/usr/lib/systemd/user/wpservice.service" {
		t.Errorf("after the upgrade the unit is not enabled: %q, %v", target, err)
	}
	if got := readFile(t, machineConfig); got != machineBefore {
		t.Errorf("the upgrade changed %s:\n%s", machineConfig, got)
	}
	after := u.files(t)
	for name, data := range before {
		if after[name] != data {
			t.Errorf("the upgrade changed or removed the user's %s", name)
		}
	}

	e = u.start(t)
	if h := health(t, e.port); h.Version != nextVersion {
		t.Errorf("version N+1's /health: %+v", h)
	}
	c = connect(t, e.port, u.dataDir)
	snap := c.hello.Snapshot
	if snap.Account.Username != "alice" || !snap.Account.HasPassword {
		t.Errorf("version N+1 lost the account: %+v", snap.Account)
	}
	if !slices.Equal(snap.Config, []string{config.SourceMachine, config.SourceUser}) {
		t.Errorf("version N+1 read the configs %v, want machine then user", snap.Config)
	}
	if out := u.cli(t, "pair", "list"); !strings.Contains(out, pairedOrigin) || !strings.Contains(out, "https://crm.example.com") {
		t.Errorf("version N+1's pair list lacks the paired or the provisioned origin:\n%s", out)
	}
	e.stop(t)

	run(t, "dpkg", "--remove", "wpservice")
	for _, f := range []string{machineConfig, machineDir + "/README"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("removing the package removed %s: %v", f, err)
		}
	}
	run(t, "dpkg", "--purge", "wpservice")
	if _, err := os.Lstat(machineDir); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(machineDir)
		t.Errorf("purge left %s: %v", machineDir, entries)
	}
}

// linuxUser is a user's home for the installed engine: its config directory, with
// a config of free ports, loopback and no sound card, and a runtime directory of
// its own for the admin socket.
type linuxUser struct {
	env     []string
	dataDir string
}

func newLinuxUser(t *testing.T) *linuxUser {
	t.Helper()
	home := t.TempDir()
	runtimeDir := filepath.Join(home, "run")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	u := &linuxUser{
		dataDir: filepath.Join(home, ".config", "wpservice"),
		env: append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
			"XDG_RUNTIME_DIR="+runtimeDir,
			// No Secret Service: the password goes to the keyring's fallback file.
			"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(home, "no-bus")),
	}
	// The engine keeps its files owner-only, in a directory of the user's alone.
	if err := os.MkdirAll(u.dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	sipPort := testpeer.FreePort(t)
	writeJSON(t, filepath.Join(u.dataDir, "config.json"), map[string]any{
		"control": map[string]any{"port": testpeer.FreePort(t), "fallbackPorts": []int{}},
		"sip":     map[string]any{"listenIP": "127.0.0.1", "udpPort": sipPort, "tcpPort": sipPort},
		"audio":   map[string]any{"backend": "null"},
	})
	return u
}

// runningEngine is /usr/bin/wpservice run as the user.
type runningEngine struct {
	cmd  *exec.Cmd
	port int
	log  *lockedBuffer
}

// start runs the installed engine on the user's config until stop or the test's end.
func (u *linuxUser) start(t *testing.T) *runningEngine {
	t.Helper()
	return u.startCommand(t, 30*time.Second, "/usr/bin/wpservice", "run")
}

// startCommand runs an engine's "run" command line, as the user, and waits up to
// d for its /health.
func (u *linuxUser) startCommand(t *testing.T, d time.Duration, name string, args ...string) *runningEngine {
	t.Helper()
	var cfg struct {
		Control struct{ Port int } `json:"control"`
	}
	readJSON(t, filepath.Join(u.dataDir, "config.json"), &cfg)
	e := &runningEngine{cmd: exec.Command(name, args...), port: cfg.Control.Port, log: &lockedBuffer{}}
	e.cmd.Env = u.env
	e.cmd.Stdout, e.cmd.Stderr = e.log, e.log
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.stop(t)
		if t.Failed() {
			t.Logf("engine log:\n%s", e.log.String())
		}
	})
	waitHealthy(t, e.port, d)
	return e
}

// stop ends the engine as its session would, with SIGTERM, and waits for it.
func (e *runningEngine) stop(t *testing.T) {
	t.Helper()
	if e.cmd.ProcessState != nil {
		return
	}
	e.cmd.Process.Signal(os.Interrupt)
	if err := e.cmd.Wait(); err != nil {
		t.Errorf("the engine did not stop cleanly: %v\n%s", err, e.log.String())
	}
}

// pair approves origin in the user's pairings file, as "wpservice pair approve" does.
func (u *linuxUser) pair(t *testing.T, origin string) {
	t.Helper()
	s, err := pairing.Open(pairing.Config{Path: filepath.Join(u.dataDir, "pairings.json")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Request(origin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(origin); err != nil {
		t.Fatal(err)
	}
}

// cli runs the installed wpservice as the user and returns what it printed.
func (u *linuxUser) cli(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/wpservice", args...)
	cmd.Env = u.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("wpservice %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// files is every file in the user's config directory, by name, with its content.
func (u *linuxUser) files(t *testing.T) map[string]string {
	t.Helper()
	return dirFiles(t, u.dataDir)
}

package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fakeTools stands in for systemctl and launchctl: it records each command line and
// answers it from a table (no entry: empty output, success).
type fakeTools struct {
	calls   []string
	answers map[string]fakeAnswer
}

type fakeAnswer struct {
	out string
	err error
}

func (f *fakeTools) run(name string, args ...string) (string, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	f.calls = append(f.calls, line)
	a := f.answers[line]
	return a.out, a.err
}

var errExit = errors.New("exit status 1")

func TestSystemdUnitIsThePackagedOne(t *testing.T) {
	shipped, err := os.ReadFile("../../installer/linux/wpservice.service")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?m)^#.*\n`).ReplaceAllString(string(shipped), "")
	u := &systemdUnit{exe: "/usr/bin/wpservice", args: []string{"run"}}
	if got := u.text(); got != want {
		t.Errorf("unit written by install:\n%s\nthe package's, without its comments:\n%s", got, want)
	}
}

func TestLaunchAgentIsThePackagedOne(t *testing.T) {
	shipped, err := os.ReadFile("../../installer/macos/wpservice.plist")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?s)<!--.*?-->\n`).ReplaceAllString(string(shipped), "")
	a := &launchAgent{exe: "/usr/local/bin/wpservice", args: []string{"run"}}
	if got := a.text(); got != want {
		t.Errorf("agent written by install:\n%s\nthe package's, without its comment:\n%s", got, want)
	}
}

func TestServiceCommandLinesAreQuoted(t *testing.T) {
	u := &systemdUnit{exe: "/home/a b/wpservice", args: []string{"run", "--config", `/x/50%"$HOME".json`}}
	if got, want := u.text(), `ExecStart="/home/a b/wpservice" run --config "/x/50%%\"$$HOME\".json"`+"\n"; !strings.Contains(got, want) {
		t.Errorf("unit:\n%s\nwant the line %q", got, want)
	}
	a := &launchAgent{exe: "/Users/a b/wpservice", args: []string{"run", "--config", "/x/it's&<me>.json"}}
	if got, want := a.text(), `exec '/Users/a b/wpservice' run --config '/x/it'\''s&amp;&lt;me&gt;.json' &gt;&gt;`; !strings.Contains(got, want) {
		t.Errorf("agent:\n%s\nwant %q", got, want)
	}
}

func TestSystemdInstallEnablesTheUnit(t *testing.T) {
	tools := &fakeTools{}
	u := &systemdUnit{dir: filepath.Join(t.TempDir(), "systemd", "user"), exe: "/opt/wpservice", args: []string{"run"}, run: tools.run}
	if err := u.install(); err != nil {
		t.Fatal(err)
	}
	if text, err := os.ReadFile(filepath.Join(u.dir, "wpservice.service")); err != nil || !strings.Contains(string(text), "ExecStart=/opt/wpservice run\n") {
		t.Fatalf("unit file: %v\n%s", err, text)
	}
	if want := []string{"systemctl --user daemon-reload", "systemctl --user enable wpservice.service"}; !slices.Equal(tools.calls, want) {
		t.Errorf("ran %q, want %q", tools.calls, want)
	}
	if err := u.install(); err == nil || !strings.Contains(err.Error(), "already installed") {
		t.Errorf("second install: %v, want already installed", err)
	}
}

func TestSystemdInstallThatCannotEnableLeavesNoUnit(t *testing.T) {
	tools := &fakeTools{answers: map[string]fakeAnswer{"systemctl --user enable wpservice.service": {err: errExit}}}
	u := &systemdUnit{dir: t.TempDir(), exe: "/opt/wpservice", run: tools.run}
	if err := u.install(); !errors.Is(err, errExit) {
		t.Fatalf("install: %v, want the failed enable", err)
	}
	if fileExists(u.path()) {
		t.Error("the unit stayed behind")
	}
}

func TestSystemdUninstall(t *testing.T) {
	tools := &fakeTools{}
	u := &systemdUnit{dir: t.TempDir(), exe: "/opt/wpservice", run: tools.run}
	if err := u.uninstall(); !errors.Is(err, errNotInstalled) || len(tools.calls) != 0 {
		t.Fatalf("uninstall of nothing: %v, ran %q", err, tools.calls)
	}
	if err := u.install(); err != nil {
		t.Fatal(err)
	}
	tools.calls = nil
	if err := u.uninstall(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"systemctl --user disable --now wpservice.service", "systemctl --user daemon-reload"}; !slices.Equal(tools.calls, want) {
		t.Errorf("ran %q, want %q", tools.calls, want)
	}
	if fileExists(u.path()) {
		t.Error("the unit is still there")
	}
}

func TestSystemdStartStop(t *testing.T) {
	tools := &fakeTools{answers: map[string]fakeAnswer{"systemctl --user stop wpservice.service": {err: errExit}}}
	u := &systemdUnit{run: tools.run}
	if err := u.start(); err != nil {
		t.Error(err)
	}
	if err := u.stop(); !errors.Is(err, errExit) {
		t.Errorf("stop: %v, want systemctl's failure", err)
	}
	if want := []string{"systemctl --user start wpservice.service", "systemctl --user stop wpservice.service"}; !slices.Equal(tools.calls, want) {
		t.Errorf("ran %q, want %q", tools.calls, want)
	}
}

func TestSystemdStatus(t *testing.T) {
	const isActive, listed = "systemctl --user is-active wpservice.service", "systemctl --user list-unit-files --type=service wpservice.service"
	tests := []struct {
		name            string
		active, listing fakeAnswer
		want, wantErr   string
	}{
		{"running", fakeAnswer{out: "active\n"}, fakeAnswer{}, statusRunning, ""},
		{"starting", fakeAnswer{out: "activating\n", err: errExit}, fakeAnswer{}, statusRunning, ""},
		{"stopped", fakeAnswer{out: "inactive\n", err: errExit}, fakeAnswer{out: "UNIT FILE STATE PRESET\nwpservice.service enabled enabled\n\n1 unit files listed.\n"}, statusStopped, ""},
		{"none", fakeAnswer{out: "inactive\n", err: errExit}, fakeAnswer{out: "0 unit files listed.\n", err: errExit}, statusNotInstalled, ""},
		{"failed", fakeAnswer{out: "failed\n", err: errExit}, fakeAnswer{}, "", "has failed"},
		{"no bus", fakeAnswer{err: errors.New("Failed to connect to bus")}, fakeAnswer{}, "", "Failed to connect to bus"},
	}
	for _, tt := range tests {
		tools := &fakeTools{answers: map[string]fakeAnswer{isActive: tt.active, listed: tt.listing}}
		got, err := (&systemdUnit{run: tools.run}).status()
		if got != tt.want || (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: status = %q, %v; want %q, error %q", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestLaunchAgent(t *testing.T) {
	tools := &fakeTools{answers: map[string]fakeAnswer{"launchctl list wpservice": {err: errExit}}}
	a := &launchAgent{dir: filepath.Join(t.TempDir(), "LaunchAgents"), uid: 501, exe: "/opt/wpservice", args: []string{"run"}, run: tools.run}
	if st, err := a.status(); st != statusNotInstalled || err != nil {
		t.Errorf("status before install: %q, %v", st, err)
	}
	if err := a.install(); err != nil || !fileExists(a.path()) {
		t.Fatalf("install: %v", err)
	}
	if st, _ := a.status(); st != statusStopped {
		t.Errorf("status once installed: %q, want stopped", st)
	}
	if err := a.start(); err != nil {
		t.Fatal(err)
	}
	tools.answers["launchctl list wpservice"] = fakeAnswer{out: "{\n\t\"Label\" = \"wpservice\";\n\t\"PID\" = 4242;\n};\n"}
	if st, _ := a.status(); st != statusRunning {
		t.Errorf("status once started: %q, want running", st)
	}
	tools.answers["launchctl bootout gui/501 "+a.path()] = fakeAnswer{err: errExit} // not loaded
	if err := a.uninstall(); err != nil || fileExists(a.path()) {
		t.Errorf("uninstall: %v, agent left: %v", err, fileExists(a.path()))
	}
	want := []string{"launchctl list wpservice", "launchctl list wpservice", "launchctl bootstrap gui/501 " + a.path(), "launchctl list wpservice", "launchctl bootout gui/501 " + a.path()}
	if !slices.Equal(tools.calls, want) {
		t.Errorf("ran %q\nwant %q", tools.calls, want)
	}
}

// fakeService is a userService that answers each command with err.
type fakeService struct {
	did []string
	err error
}

func (f *fakeService) install() error   { f.did = append(f.did, "install"); return f.err }
func (f *fakeService) uninstall() error { f.did = append(f.did, "uninstall"); return f.err }
func (f *fakeService) start() error     { f.did = append(f.did, "start"); return f.err }
func (f *fakeService) stop() error      { f.did = append(f.did, "stop"); return f.err }
func (f *fakeService) status() (string, error) {
	f.did = append(f.did, "status")
	return statusStopped, f.err
}

func TestControlServicePrintsTheOutcome(t *testing.T) {
	tests := []struct {
		cmd      string
		err      error
		code     int
		out, msg string
	}{
		{"install", nil, 0, "wpservice: install done\n", ""},
		{"stop", nil, 0, "wpservice: stop done\n", ""},
		{"status", nil, 0, "stopped\n", ""},
		{"start", errExit, 1, "", "wpservice: start: exit status 1\n"},
		{"status", errExit, 1, "", "wpservice: status: exit status 1\n"},
	}
	for _, tt := range tests {
		svc := &fakeService{err: tt.err}
		var out, errb bytes.Buffer
		code := controlService(svc, tt.cmd, &out, &errb)
		if code != tt.code || out.String() != tt.out || errb.String() != tt.msg || !slices.Equal(svc.did, []string{tt.cmd}) {
			t.Errorf("%s: %d, stdout %q, stderr %q, did %q", tt.cmd, code, out.String(), errb.String(), svc.did)
		}
	}
}

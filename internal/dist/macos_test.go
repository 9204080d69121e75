package dist

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// What the macOS package installs, as docs/install.md and the build script name it.
const (
	macBinary = "/usr/local/bin/wpservice"
	macAgent  = "/Library/LaunchAgents/wpservice.plist"
	macLogs   = "$HOME/Library/Logs/wpservice"
	macLabel  = "wpservice" // the label "wpservice install" gives its own agent
)

// launchAgent is the part of the LaunchAgent plist the tests read.
type launchAgent struct {
	Label            string
	ProgramArguments []string
	RunAtLoad        bool
	KeepAlive        struct{ SuccessfulExit *bool }
}

// The LaunchAgent is a valid property list that starts the installed engine at
// login, restarts it after a crash only, and logs to ~/Library/Logs/wpservice.
func TestMacLaunchAgent(t *testing.T) {
	var agent launchAgent
	readPlist(t, filepath.Join(repoRoot(), "installer", "macos", "wpservice.plist"), &agent)
	if agent.Label != macLabel {
		t.Errorf("Label %q, want %q", agent.Label, macLabel)
	}
	if !agent.RunAtLoad {
		t.Error("RunAtLoad is not true: the engine would not start at login")
	}
	if agent.KeepAlive.SuccessfulExit == nil || *agent.KeepAlive.SuccessfulExit {
		t.Errorf("KeepAlive is not {SuccessfulExit: false}: the engine would not come back after a crash, or would after a clean exit")
	}
	cmd := strings.Join(agent.ProgramArguments, " ")
	for _, want := range []string{"exec " + macBinary + " run ", `>>"` + macLogs + `/wpservice.log" 2>&1`, `mkdir -p "` + macLogs + `"`} {
		if !strings.Contains(cmd, want) {
			t.Errorf("the agent's command lacks %q:\n%s", want, cmd)
		}
	}

	var ent map[string]bool
	readPlist(t, filepath.Join(repoRoot(), "installer", "macos", "entitlements.plist"), &ent)
	if !ent["com.apple.security.device.audio-input"] {
		t.Errorf("the hardened runtime's entitlements lack the microphone: %v", ent)
	}
}

// The build script installs the agent and the engine where the agent and the docs
// say, and the docs give the paths the engine uses on macOS.
func TestMacPathsAgree(t *testing.T) {
	script := readFile(t, filepath.Join(repoRoot(), "installer", "macos", "build-pkg.sh"))
	for _, want := range []string{`"$work/root` + macBinary + `"`, `"$work/root` + macAgent + `"`} {
		if !strings.Contains(script, want) {
			t.Errorf("build-pkg.sh does not install %s", want)
		}
	}
	for _, f := range []string{"preinstall", "postinstall"} {
		if s := readFile(t, filepath.Join(repoRoot(), "installer", "macos", "scripts", f)); !strings.Contains(s, "agent="+macAgent+"\n") {
			t.Errorf("%s does not load %s", f, macAgent)
		}
	}
	docs := readFile(t, filepath.Join(repoRoot(), "docs", "install.md"))
	for _, want := range []string{
		macBinary, macAgent, "~/Library/Logs/wpservice/wpservice.log",
		"/Library/Application Support/wpservice/config.json", // the machine config, config.MachinePath on darwin
		"~/Library/Application Support/wpservice",            // os.UserConfigDir on darwin, config.DefaultDir
		"installer/macos/build-pkg.sh", "xcrun notarytool submit", "xcrun stapler staple",
	} {
		if !strings.Contains(docs, want) {
			t.Errorf("docs/install.md does not mention %s", want)
		}
	}
}

// Every installer script parses, and passes shellcheck.
func TestInstallerScripts(t *testing.T) {
	root := filepath.Join(repoRoot(), "installer")
	scripts := map[string]string{ // script: its shell
		"dist.sh":                   "bash",
		"macos/build-pkg.sh":        "bash",
		"macos/scripts/preinstall":  "sh",
		"macos/scripts/postinstall": "sh",
		"linux/postinst":            "sh",
		"linux/prerm":               "sh",
		"linux/postrm":              "sh",
	}
	shellcheck := testpeer.Need(t, "shellcheck")
	for script, shell := range scripts {
		path := filepath.Join(root, script)
		if out, err := exec.Command(shell, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s -n %s: %v\n%s", shell, script, err, out)
		}
		if out, err := exec.Command(shellcheck, "--shell="+shell, path).CombinedOutput(); err != nil {
			t.Errorf("shellcheck %s: %v\n%s", script, err, out)
		}
	}
}

// readPlist decodes a property list into v, through Python's plistlib (which
// refuses a malformed one) and JSON.
func readPlist(t *testing.T, path string, v any) {
	t.Helper()
	python := testpeer.Need(t, "python3")
	const convert = "import json, plistlib, sys\nwith open(sys.argv[1], 'rb') as f:\n    json.dump(plistlib.load(f), sys.stdout)"
	out, err := exec.Command(python, "-c", convert, path).Output()
	if err != nil {
		t.Fatalf("plistlib cannot read %s: %v", path, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

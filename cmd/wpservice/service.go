package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// serviceCmd manages the per-user service. The engine must run in the user's session
// to reach the microphone, so on Linux and macOS it is a systemd user unit or a
// LaunchAgent; on Windows the installer registers a per-user logon start instead
// (a Windows service would run in session 0, cut off from the user's audio).
//
// The engine writes the unit and the agent itself, from the same text the packages
// ship, and drives systemctl or launchctl: a service library would cost every start
// of the engine its package initialisation (docs/architecture.md).
func serviceCmd(cmd string, args []string, stdout, stderr io.Writer) int {
	svc, err := newUserService(append([]string{"run"}, args...))
	if err != nil {
		fmt.Fprintf(stderr, "wpservice: %s: %v\n", cmd, err)
		return 1
	}
	return controlService(svc, cmd, stdout, stderr)
}

// controlService runs one of the service commands on svc and prints its outcome.
func controlService(svc userService, cmd string, stdout, stderr io.Writer) int {
	if cmd == "status" {
		st, err := svc.status()
		if err != nil {
			fmt.Fprintln(stderr, "wpservice: status:", err)
			return 1
		}
		fmt.Fprintln(stdout, st)
		return 0
	}
	do := map[string]func() error{"install": svc.install, "uninstall": svc.uninstall, "start": svc.start, "stop": svc.stop}[cmd]
	if err := do(); err != nil {
		fmt.Fprintf(stderr, "wpservice: %s: %v\n", cmd, err)
		return 1
	}
	fmt.Fprintln(stdout, "wpservice:", cmd, "done")
	return 0
}

// userService is the per-user service of one system's service manager.
type userService interface {
	install() error   // writes the unit or agent (and enables it where that is a step)
	uninstall() error // stops, disables and removes it
	start() error
	stop() error
	status() (string, error) // "running", "stopped" or "not installed"
}

// The service's status words, as `wpservice status` prints them.
const (
	statusRunning      = "running"
	statusStopped      = "stopped"
	statusNotInstalled = "not installed"
)

// serviceName names the unit (wpservice.service) and the agent's label: the names the
// packages give theirs, so the service manager never runs two engines for one user.
const serviceName = "wpservice"

// errNotInstalled is the error of uninstall when there is nothing to remove.
var errNotInstalled = errors.New("not installed")

// newUserService returns the service of this system's service manager for the
// running executable, started with args.
func newUserService(args []string) (userService, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	switch runtime.GOOS {
	case "linux":
		if _, err := os.Stat("/run/systemd/system"); err != nil { // sd_booted(3)
			return nil, errors.New("needs systemd (user units); this system does not run systemd")
		}
		dir := os.Getenv("XDG_CONFIG_HOME")
		if dir == "" {
			dir = filepath.Join(home, ".config")
		}
		return &systemdUnit{dir: filepath.Join(dir, "systemd", "user"), exe: exe, args: args, run: runTool}, nil
	case "darwin":
		return &launchAgent{dir: filepath.Join(home, "Library", "LaunchAgents"), uid: os.Getuid(), exe: exe, args: args, run: runTool}, nil
	case "windows":
		return nil, errors.New("on Windows the installer starts the engine at logon; not supported here")
	}
	return nil, fmt.Errorf("needs systemd (user units) or launchd; not supported on %s yet", runtime.GOOS)
}

// toolRunner runs a system tool (systemctl, launchctl) and returns its standard
// output; err reports a failed start or a non-zero exit, with the tool's own words.
// It is the seam the service tests replace.
type toolRunner func(name string, args ...string) (stdout string, err error)

func runTool(name string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return out.String(), fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out.String(), nil
}

// writeNew writes a service file that must not exist yet, making its directory.
func writeNew(path string, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("already installed: %s", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// removeInstalled removes a service file, errNotInstalled when there is none.
func removeInstalled(path string) error {
	err := os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", errNotInstalled, path)
	}
	return err
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

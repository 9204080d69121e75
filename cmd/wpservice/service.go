package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/kardianos/service"
)

// serviceCmd manages the per-user service. The engine must run in the user's session
// to reach the microphone, so on Linux and macOS it is a systemd user unit or a
// LaunchAgent; on Windows the installer registers a per-user logon start instead
// (a Windows service would run in session 0, cut off from the user's audio).
func serviceCmd(cmd string, args []string, stdout, stderr io.Writer) int {
	if runtime.GOOS == "windows" {
		fmt.Fprintln(stderr, "wpservice: on Windows the installer starts the engine at logon; "+cmd+" is not supported here yet")
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "wpservice:", err)
		return 1
	}
	svc, err := service.New(nil, &service.Config{
		Name:        "wpservice",
		DisplayName: "wpservice softphone engine",
		Description: "SIP softphone engine driven by web pages over a local WebSocket.",
		Executable:  exe,
		Arguments:   append([]string{"run"}, args...),
		Option:      service.KeyValue{"UserService": true},
	})
	if err != nil {
		fmt.Fprintln(stderr, "wpservice:", err)
		return 1
	}
	if p := service.Platform(); p != "linux-systemd" && p != "darwin-launchd" {
		fmt.Fprintf(stderr, "wpservice: %s needs systemd (user units) or launchd; this system uses %s, which is not supported yet\n", cmd, p)
		return 1
	}
	if cmd == "status" {
		st, err := svc.Status()
		if err != nil && !errors.Is(err, service.ErrNotInstalled) {
			fmt.Fprintln(stderr, "wpservice:", err)
			return 1
		}
		fmt.Fprintln(stdout, statusName(st, err))
		return 0
	}
	if err := service.Control(svc, cmd); err != nil {
		fmt.Fprintln(stderr, "wpservice:", err)
		return 1
	}
	fmt.Fprintln(stdout, "wpservice:", cmd, "done")
	return 0
}

func statusName(st service.Status, err error) string {
	if errors.Is(err, service.ErrNotInstalled) {
		return "not installed"
	}
	switch st {
	case service.StatusRunning:
		return "running"
	case service.StatusStopped:
		return "stopped"
	}
	return "unknown"
}

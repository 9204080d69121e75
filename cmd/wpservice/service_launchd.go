package main

import (
	"path/filepath"
	"strconv"
	"strings"
)

// launchAgent is the engine as a LaunchAgent of the user, wpservice.plist in
// ~/Library/LaunchAgents, loaded into the user's GUI domain with launchctl. Its text
// is the agent the macOS package ships (installer/macos/wpservice.plist) with this
// executable and its arguments.
type launchAgent struct {
	dir  string   // the user's LaunchAgents folder
	uid  int      // the user, whose GUI domain (gui/UID) the agent is loaded into
	exe  string   // the engine's executable
	args []string // its arguments: run and the flags given to install
	run  toolRunner
}

func (a *launchAgent) path() string   { return filepath.Join(a.dir, serviceName+".plist") }
func (a *launchAgent) domain() string { return "gui/" + strconv.Itoa(a.uid) }

// install writes the agent; launchd starts it at the user's next login, or now with
// `wpservice start`.
func (a *launchAgent) install() error { return writeNew(a.path(), a.text()) }

// uninstall stops the agent (if it runs) and removes its file.
func (a *launchAgent) uninstall() error {
	_ = a.stop() // not loaded is not an error here
	return removeInstalled(a.path())
}

func (a *launchAgent) start() error {
	_, err := a.run("launchctl", "bootstrap", a.domain(), a.path())
	return err
}

func (a *launchAgent) stop() error {
	_, err := a.run("launchctl", "bootout", a.domain(), a.path())
	return err
}

// status: a loaded agent with a process is running; an agent's file without one is
// stopped.
func (a *launchAgent) status() (string, error) {
	out, _ := a.run("launchctl", "list", serviceName) // non-zero exit when not loaded
	if strings.Contains(out, `"PID" = `) {
		return statusRunning, nil
	}
	if fileExists(a.path()) || fileExists("/Library/LaunchAgents/"+serviceName+".plist") {
		return statusStopped, nil
	}
	return statusNotInstalled, nil
}

// text is the agent: the packaged one's, with this executable. launchd does not
// expand "~" in its log paths, so a shell line makes the log folder in $HOME and hands
// over to the engine.
func (a *launchAgent) text() string {
	words := make([]string, 0, 1+len(a.args))
	for _, w := range append([]string{a.exe}, a.args...) {
		words = append(words, shellWord(w))
	}
	line := `mkdir -p "$HOME/Library/Logs/wpservice" && exec ` + strings.Join(words, " ") +
		` >>"$HOME/Library/Logs/wpservice/wpservice.log" 2>&1`
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + serviceName + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>/bin/sh</string>
		<string>-c</string>
		<string>` + plistText(line) + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<dict>
		<key>SuccessfulExit</key>
		<false/>
	</dict>
	<key>ThrottleInterval</key>
	<integer>5</integer>
	<key>LimitLoadToSessionType</key>
	<string>Aqua</string>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`
}

// shellWord quotes a word for sh when it needs it: in single quotes, where a single
// quote of the word closes them, is escaped with a backslash, and opens them again.
func shellWord(w string) string {
	if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=+:,@") == "" {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// plistText escapes text for a plist's <string>: &, < and > as entities (quotes may
// stay, as in the packaged agent).
func plistText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

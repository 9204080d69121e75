package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// systemdUnit is the engine as a systemd user unit, wpservice.service in the user's
// unit directory (~/.config/systemd/user), driven with systemctl --user. Its text is
// the unit the Debian package ships (installer/linux/wpservice.service) with this
// executable and its arguments in ExecStart.
type systemdUnit struct {
	dir  string   // the user's unit directory
	exe  string   // the engine's executable
	args []string // its arguments: run and the flags given to install
	run  toolRunner
}

const systemdUnitName = serviceName + ".service"

func (s *systemdUnit) path() string { return filepath.Join(s.dir, systemdUnitName) }

func (s *systemdUnit) systemctl(args ...string) (string, error) {
	return s.run("systemctl", append([]string{"--user"}, args...)...)
}

// install writes the unit and enables it; a unit it cannot enable is removed again,
// so that install can be tried once more.
func (s *systemdUnit) install() error {
	if err := writeNew(s.path(), s.text()); err != nil {
		return err
	}
	if _, err := s.systemctl("daemon-reload"); err != nil {
		return errors.Join(err, os.Remove(s.path()))
	}
	if _, err := s.systemctl("enable", systemdUnitName); err != nil {
		return errors.Join(err, os.Remove(s.path()))
	}
	return nil
}

// uninstall stops and disables the unit, then removes its file.
func (s *systemdUnit) uninstall() error {
	if !fileExists(s.path()) {
		return removeInstalled(s.path()) // the error that says so
	}
	if _, err := s.systemctl("disable", "--now", systemdUnitName); err != nil {
		return err
	}
	if err := removeInstalled(s.path()); err != nil {
		return err
	}
	_, err := s.systemctl("daemon-reload")
	return err
}

func (s *systemdUnit) start() error {
	_, err := s.systemctl("start", systemdUnitName)
	return err
}

func (s *systemdUnit) stop() error {
	_, err := s.systemctl("stop", systemdUnitName)
	return err
}

// status asks systemd whether the unit runs and, when it does not, whether it is
// installed: by `wpservice install` or by the package, for every user.
func (s *systemdUnit) status() (string, error) {
	out, err := s.systemctl("is-active", systemdUnitName) // non-zero exit when not active
	switch strings.TrimSpace(out) {
	case "active", "activating", "reloading":
		return statusRunning, nil
	case "failed":
		return "", errors.New("the service has failed (journalctl --user -u " + serviceName + ")")
	case "":
		return "", err // systemctl did not answer: no user session bus
	}
	out, _ = s.systemctl("list-unit-files", "--type=service", systemdUnitName) // exit 1 when none
	if strings.Contains(out, systemdUnitName) {
		return statusStopped, nil
	}
	return statusNotInstalled, nil
}

// text is the unit: the packaged one's, with this executable.
func (s *systemdUnit) text() string {
	words := make([]string, 0, 1+len(s.args))
	for _, w := range append([]string{s.exe}, s.args...) {
		words = append(words, systemdWord(w))
	}
	return `[Unit]
Description=wpservice softphone engine
Documentation=man:wpservice(1)

[Service]
ExecStart=` + strings.Join(words, " ") + `
Restart=on-failure
RestartSec=2
NoNewPrivileges=yes

[Install]
WantedBy=default.target
`
}

// systemdWord quotes one word of an ExecStart line (systemd.service(5), "Command
// lines"): specifiers and variables are escaped by doubling, and a word with blanks,
// quotes or backslashes is written in double quotes.
func systemdWord(w string) string {
	w = strings.NewReplacer("%", "%%", "$", "$$").Replace(w)
	if w != "" && !strings.ContainsAny(w, " \t\n\"'\\;") {
		return w
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`).Replace(w) + `"`
}

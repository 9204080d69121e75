package trust

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Debian and Ubuntu system store locations.
const (
	DebianCertsDir = "/usr/local/share/ca-certificates"
	DebianBundle   = "/etc/ssl/certs/ca-certificates.crt"
)

// SystemStore is the Debian/Ubuntu system trust store: a PEM file in the
// local certificates directory, merged into the system bundle by
// update-ca-certificates. Go, curl, OpenSSL and (through p11-kit) many
// other programs trust the bundle. Changing it needs root; without root,
// Install and Uninstall return a FixError with the exact sudo commands.
type SystemStore struct {
	// CertsDir is the local certificates directory (DebianCertsDir).
	CertsDir string
	// Bundle is the generated bundle (DebianBundle), read by Contains.
	Bundle string
	// Update is the command that regenerates the bundle, with arguments:
	// {"update-ca-certificates"} on a real system; tests add --certsconf,
	// --certsdir, --localcertsdir, --etccertsdir and --hooksdir.
	Update []string
	// SourceFile is the saved root certificate, named in the sudo commands
	// given to a user who is not root.
	SourceFile string
	// IsAdmin reports whether the process may write the store; nil means
	// "running as root".
	IsAdmin func() bool
	// Run runs Update; nil means ExecRunner.
	Run Runner
}

// Name implements Store.
func (s *SystemStore) Name() string { return "system store (" + s.CertsDir + ")" }

// path returns the file that holds our root: wpservice-<id>.crt, where id
// is the nickname's random suffix.
func (s *SystemStore) path(nick string) string {
	id := nick[strings.LastIndexByte(nick, ' ')+1:]
	return filepath.Join(s.CertsDir, "wpservice-"+id+".crt")
}

func (s *SystemStore) available() error {
	if info, err := os.Stat(s.CertsDir); err != nil || !info.IsDir() {
		return &FixError{Err: ErrUnavailable, Fix: "this system has no " + s.CertsDir + " (not Debian or Ubuntu); trust " + s.source() + " with the distribution's tool"}
	}
	return nil
}

func (s *SystemStore) source() string {
	if s.SourceFile == "" {
		return "ca.crt"
	}
	return s.SourceFile
}

func (s *SystemStore) updateLine() string {
	words := make([]string, len(s.Update))
	for i, w := range s.Update {
		words[i] = shellQuote(w)
	}
	return "sudo " + strings.Join(words, " ")
}

func (s *SystemStore) isAdmin() bool {
	if s.IsAdmin == nil {
		return os.Geteuid() == 0
	}
	return s.IsAdmin()
}

// shellQuote quotes w for a POSIX shell when it holds anything but safe
// characters, so the printed commands can be pasted as they are.
func shellQuote(w string) string {
	safe := w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@%", r))
	}) < 0
	if safe {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// Install implements Store: it writes the PEM file (mode 0644) and runs
// Update.
func (s *SystemStore) Install(pem []byte, nick string) error {
	if err := s.available(); err != nil {
		return err
	}
	dst := s.path(nick)
	if !s.isAdmin() {
		return &FixError{Err: ErrNeedsAdmin, Fix: "run: sudo install -m 0644 " + shellQuote(s.source()) + " " + shellQuote(dst) + " && " + s.updateLine()}
	}
	if err := writeFileAtomic(dst, pem, 0o644); err != nil {
		return err
	}
	return s.update()
}

// Uninstall implements Store: it removes the PEM file and runs Update.
func (s *SystemStore) Uninstall(nick string) error {
	dst := s.path(nick)
	if _, err := os.Stat(dst); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if !s.isAdmin() {
		return &FixError{Err: ErrNeedsAdmin, Fix: "run: sudo rm " + shellQuote(dst) + " && " + s.updateLine()}
	}
	if err := os.Remove(dst); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	return s.update()
}

// Contains implements Store: our file is present and the bundle holds the
// same certificate, so update-ca-certificates has run since it was added.
func (s *SystemStore) Contains(nick string) (bool, error) {
	if err := s.available(); err != nil {
		return false, err
	}
	mine, err := os.ReadFile(s.path(nick))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("trust: %w", err)
	}
	bundle, err := os.ReadFile(s.Bundle)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("trust: %w", err)
	}
	ders := pemCerts(mine)
	if len(ders) != 1 {
		return false, nil
	}
	for _, der := range pemCerts(bundle) {
		if bytes.Equal(der, ders[0]) {
			return true, nil
		}
	}
	return false, nil
}

func (s *SystemStore) update() error {
	_, err := run(s.Run, s.Update[0], s.Update[1:]...)
	return toolMissing(err, "install update-ca-certificates: sudo apt-get install ca-certificates")
}

// writeFileAtomic writes data to path with mode through a temporary file in
// the same directory and a rename.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wpservice-*.tmp")
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	return nil
}

package trust

import (
	"strings"
)

// WindowsRootStore is the current user's Root store, changed with the
// Windows certutil ("certutil -user -addstore Root"). Windows shows the user
// a confirmation dialog before adding or deleting a root. Edge, Chrome and
// (with enterprise roots, the default) Firefox read it.
type WindowsRootStore struct {
	// Run runs certutil; nil means ExecRunner.
	Run Runner
}

// Name implements Store.
func (s *WindowsRootStore) Name() string { return "Windows user Root store" }

// Install implements Store.
func (s *WindowsRootStore) Install(pem []byte, nick string) error {
	return withTempPEM(pem, func(path string) error {
		_, err := s.certutil("-user", "-addstore", "Root", path)
		return err
	})
}

// Uninstall implements Store: certutil matches the certificate by its
// subject common name.
func (s *WindowsRootStore) Uninstall(nick string) error {
	return deleteAll(s, nick, func() error {
		out, err := s.certutil("-user", "-delstore", "Root", nick)
		if windowsNotFound(out, err) {
			return nil
		}
		return err
	})
}

// Contains implements Store.
func (s *WindowsRootStore) Contains(nick string) (bool, error) {
	out, err := s.certutil("-user", "-store", "Root", nick)
	if windowsNotFound(out, err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return strings.Contains(string(out), nick), nil
}

func (s *WindowsRootStore) certutil(args ...string) ([]byte, error) {
	out, err := run(s.Run, "certutil", args...)
	return out, toolMissing(err, "certutil.exe is missing from System32")
}

// windowsNotFound reports certutil's "no matching certificate" failure,
// CRYPT_E_NOT_FOUND (0x80092004), which it prints in every language.
func windowsNotFound(out []byte, err error) bool {
	return err != nil && (strings.Contains(string(out), "0x80092004") || strings.Contains(string(out), "CRYPT_E_NOT_FOUND"))
}

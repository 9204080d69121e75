package secret

import (
	"errors"
	"strings"
)

// Sentinel errors. Callers test them with errors.Is. No error returned by this package
// carries a secret value.
var (
	// ErrNotFound: no secret is stored under the name.
	ErrNotFound = errors.New("secret: not found")
	// ErrBadName: the name is empty.
	ErrBadName = errors.New("secret: empty name")
	// ErrInsecureFile: the secrets file or its directory is open to group or others.
	ErrInsecureFile = errors.New("secret: secrets file is not owner-only")
	// ErrCorruptFile: the secrets file cannot be decoded.
	ErrCorruptFile = errors.New("secret: corrupt secrets file")
	// ErrTimeout: the OS keyring did not answer the probe in time.
	ErrTimeout = errors.New("secret: OS keyring did not answer in time")
	// ErrProbeMismatch: the OS keyring returned something else than the probe value it was given.
	ErrProbeMismatch = errors.New("secret: OS keyring returned a different probe value")
)

// redact returns err, or a copy of its message with value masked when the message
// contains value. Backends (D-Bus, Keychain, Credential Manager) are not ours to trust
// with not echoing what they were given.
func redact(err error, value string) error {
	if err == nil || value == "" || !strings.Contains(err.Error(), value) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), value, "[redacted]"))
}

package secret

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// DefaultService is the service name the engine's secrets are filed under in the OS keyring.
const DefaultService = "wpservice"

// Kinds reported by Keeper.Kind.
const (
	KindKeyring = "keyring"
	KindFile    = "file"
)

// Keyring keeps secrets in the OS keyring: Windows Credential Manager, the macOS
// Keychain, or the freedesktop Secret Service (gnome-keyring, KWallet) on Linux and the
// BSDs. Each secret is one entry with the service Service and the user name.
//
// A call blocks for as long as the platform does; on Linux a session bus without a
// Secret Service can hang, which is why Open probes the keyring under a timeout first.
type Keyring struct {
	// Service names the application in the keyring; empty means DefaultService.
	Service string
}

var _ Keeper = Keyring{}

// Kind reports KindKeyring.
func (k Keyring) Kind() string { return KindKeyring }

// Get returns the secret stored under name, or ErrNotFound.
func (k Keyring) Get(name string) (string, error) {
	if name == "" {
		return "", ErrBadName
	}
	v, err := keyring.Get(k.service(), name)
	if err != nil {
		return "", k.wrap("get", name, err, "")
	}
	return v, nil
}

// Set stores value under name, replacing any previous value.
func (k Keyring) Set(name, value string) error {
	if name == "" {
		return ErrBadName
	}
	if err := keyring.Set(k.service(), name, value); err != nil {
		return k.wrap("set", name, err, value)
	}
	return nil
}

// Delete removes the secret stored under name; ErrNotFound if there is none.
func (k Keyring) Delete(name string) error {
	if name == "" {
		return ErrBadName
	}
	if err := keyring.Delete(k.service(), name); err != nil {
		return k.wrap("delete", name, err, "")
	}
	return nil
}

func (k Keyring) service() string {
	if k.Service == "" {
		return DefaultService
	}
	return k.Service
}

// wrap maps keyring.ErrNotFound to ErrNotFound and names the operation, with value
// masked out of the backend's message.
func (k Keyring) wrap(op, name string, err error, value string) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("%w: %q in the OS keyring", ErrNotFound, name)
	}
	return fmt.Errorf("secret: keyring %s %q: %w", op, name, redact(err, value))
}

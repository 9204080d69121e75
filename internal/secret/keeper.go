// Package secret keeps the engine's secrets (SIP passwords) where the platform keeps
// them: the OS keyring when one answers, otherwise a file only the user can read.
package secret

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"runtime"
	"time"
)

// Keeper stores named secrets.
type Keeper interface {
	// Get returns the secret stored under name, or an error matching ErrNotFound.
	Get(name string) (string, error)
	// Set stores value under name, replacing any previous value.
	Set(name, value string) error
	// Delete removes the secret stored under name, or returns an error matching ErrNotFound.
	Delete(name string) error
	// Kind names the backend: KindKeyring or KindFile.
	Kind() string
}

// ProbeTimeout bounds how long Open waits for the OS keyring to answer its probe.
const ProbeTimeout = 3 * time.Second

// Open returns a Keyring for service when the OS keyring works, otherwise a File at
// fallbackPath. It decides by storing, reading back and deleting a random probe entry,
// under ProbeTimeout. log may be nil.
func Open(service, fallbackPath string, log *slog.Logger) Keeper {
	return choose(Keyring{Service: service}, &File{Path: fallbackPath}, log, ProbeTimeout)
}

// choose returns kr when it passes the probe within timeout, otherwise fallback, and
// logs the choice.
func choose(kr Keeper, fallback *File, log *slog.Logger, timeout time.Duration) Keeper {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := probeWithin(kr, timeout); err != nil {
		log.Info("no usable "+keyringName()+"; passwords kept in a file, owner-only",
			"file", fallback.Path, "err", err)
		return fallback
	}
	log.Info("passwords kept in the " + keyringName())
	return kr
}

// probeWithin runs probe on its own goroutine and gives up after timeout. A keyring call
// cannot be cancelled, so a hung probe goroutine stays blocked until the platform call
// returns; it holds nothing but its own stack.
func probeWithin(k Keeper, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- probe(k) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("%w (%v)", ErrTimeout, timeout)
	}
}

// probe stores, reads back and deletes a random entry.
func probe(k Keeper) error {
	name := "probe-" + rand.Text()
	value := rand.Text()
	if err := k.Set(name, value); err != nil {
		return err
	}
	got, err := k.Get(name)
	if err != nil {
		_ = k.Delete(name) // best effort: the Set went through
		return err
	}
	if err := k.Delete(name); err != nil {
		return err
	}
	if got != value {
		return ErrProbeMismatch
	}
	return nil
}

// keyringName is how logs name the OS keyring.
func keyringName() string {
	switch runtime.GOOS {
	case "windows":
		return "Windows Credential Manager"
	case "darwin":
		return "macOS Keychain"
	default:
		return "Secret Service on the session bus"
	}
}

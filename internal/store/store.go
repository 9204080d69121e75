// Package store keeps the engine's persistent state as small JSON documents in an
// owner-only directory. Every write goes through WriteFile (atomic.go): a temporary
// file renamed into place, so a crash never leaves a half-written document, and Open
// removes the temporary files an interrupted write left.
package store

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store is a directory of JSON documents.
type Store struct {
	dir string
}

// validName reports whether name may name a document: a lower-case letter, then up to
// 31 lower-case letters, digits, '_' or '-'. It is plain code, not a regexp, so that
// the package costs nothing at start-up.
func validName(name string) bool {
	if len(name) == 0 || len(name) > 32 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// ErrNotFound is returned by Load when a document does not exist.
var ErrNotFound = errors.New("store: not found")

// Open creates dir (mode 0700) if needed and returns a Store on it. It removes the
// temporary files that writes interrupted by a crash left in dir (RemoveLeftovers), so
// call it once at start, before anything writes there.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := RemoveLeftovers(dir); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(name string) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("store: bad document name %q", name)
	}
	return filepath.Join(s.dir, name+".json"), nil
}

// Save writes v as document name, readable by the owner only.
func (s *Store) Save(name string, v any) error {
	p, err := s.path(name)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFile(p, data)
}

// Load reads document name into v; ErrNotFound if it does not exist.
func (s *Store) Load(name string, v any) error {
	p, err := s.path(name)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("store: %s: %w", name, err)
	}
	return nil
}

// Token returns the secret in file name (creating a random 256-bit one, mode 0600, on
// first use). It is how local clients without an Origin authenticate.
func (s *Store) Token(name string) (string, error) {
	p := filepath.Join(s.dir, name)
	if data, err := os.ReadFile(p); err == nil {
		if tok := strings.TrimSpace(string(data)); len(tok) >= 32 {
			return tok, nil // an administrator may have written it with a trailing newline
		}
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	return tok, WriteFile(p, []byte(tok))
}

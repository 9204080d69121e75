package secret

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/wpservice/wpservice/internal/store"
)

// fileVersion is the format version written to the secrets file.
const fileVersion = 1

// fileDoc is the on-disk form of the secrets file.
type fileDoc struct {
	Version int               `json:"version"`
	Secrets map[string]string `json:"secrets"`
}

// File keeps secrets as a JSON map in a file only its owner may read (0600, in a 0700
// directory). It is the fallback where no OS keyring answers. Every change rewrites the
// file atomically; a File refuses to read a file that group or others can open, since
// its secrets may already have leaked and someone else may have planted it.
//
// A File is safe for concurrent use by goroutines of one process; use one File per path.
type File struct {
	// Path is the secrets file. Its directory is created (0700) on the first Set.
	Path string

	mu sync.Mutex // serializes read-modify-write cycles
}

var _ Keeper = (*File)(nil)

// Kind reports KindFile.
func (f *File) Kind() string { return KindFile }

// Get returns the secret stored under name, or ErrNotFound.
func (f *File) Get(name string) (string, error) {
	if name == "" {
		return "", ErrBadName
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	secrets, err := f.load()
	if err != nil {
		return "", err
	}
	v, ok := secrets[name]
	if !ok {
		return "", fmt.Errorf("%w: %q in %s", ErrNotFound, name, f.Path)
	}
	return v, nil
}

// Set stores value under name, replacing any previous value.
func (f *File) Set(name, value string) error {
	if name == "" {
		return ErrBadName
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.prepareDir(); err != nil {
		return err
	}
	secrets, err := f.load()
	if err != nil {
		return err
	}
	secrets[name] = value
	return f.save(secrets)
}

// Delete removes the secret stored under name; ErrNotFound if there is none.
func (f *File) Delete(name string) error {
	if name == "" {
		return ErrBadName
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	secrets, err := f.load()
	if err != nil {
		return err
	}
	if _, ok := secrets[name]; !ok {
		return fmt.Errorf("%w: %q in %s", ErrNotFound, name, f.Path)
	}
	delete(secrets, name)
	return f.save(secrets)
}

// load reads the secrets file; a missing file is an empty map.
func (f *File) load() (map[string]string, error) {
	fi, err := os.Stat(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return make(map[string]string), nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrCorruptFile, f.Path)
	}
	if openToOthers(fi) {
		return nil, fmt.Errorf("%w: %s has mode %v", ErrInsecureFile, f.Path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	secrets, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, f.Path)
	}
	return secrets, nil
}

// decode parses the secrets file. Its errors never quote the file's content, which may
// hold secrets, so JSON syntax errors are reported by offset only.
func decode(data []byte) (map[string]string, error) {
	var doc fileDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%w: syntax error at offset %d", ErrCorruptFile, syn.Offset)
		}
		return nil, fmt.Errorf("%w: not a secrets document", ErrCorruptFile)
	}
	if doc.Version != fileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptFile, doc.Version)
	}
	if doc.Secrets == nil {
		doc.Secrets = make(map[string]string)
	}
	return doc.Secrets, nil
}

// save writes secrets atomically with mode 0600.
func (f *File) save(secrets map[string]string) error {
	data, err := json.MarshalIndent(fileDoc{Version: fileVersion, Secrets: secrets}, "", "  ")
	if err != nil {
		return fmt.Errorf("secret: encode: %w", err)
	}
	if err := store.WriteFile(f.Path, data); err != nil {
		return fmt.Errorf("secret: write %s: %w", f.Path, err)
	}
	return nil
}

// prepareDir creates the directory of Path with mode 0700 and refuses one open to others.
func (f *File) prepareDir() error {
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	if openToOthers(fi) {
		return fmt.Errorf("%w: directory %s has mode %v", ErrInsecureFile, dir, fi.Mode().Perm())
	}
	return nil
}

// openToOthers reports whether group or others have any permission on fi. Windows has
// no such mode bits; there the file lives under the user's profile, protected by its ACL.
func openToOthers(fi fs.FileInfo) bool {
	return runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0
}

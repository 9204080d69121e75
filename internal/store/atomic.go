package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// tempPrefix starts the name of every temporary file WriteFile creates. Nothing else
// in a data directory may start with it: RemoveLeftovers removes whatever does.
const tempPrefix = ".tmp-"

// WriteFile writes data to path atomically with mode 0600, so that a crash leaves
// either the old file or the new one, never a half-written one, and nobody else can
// read it: the data goes to an owner-only temporary file in path's directory, which is
// synced and renamed over path; the directory is then synced, so that the rename
// itself survives a power cut. A crash before the rename leaves the temporary file,
// which RemoveLeftovers removes at the next start.
func WriteFile(path string, data []byte) error {
	return WriteFileMode(path, data, 0o600)
}

// WriteFileMode is WriteFile for a file that others may read, such as a
// certificate: the file gets mode, whatever the umask.
func WriteFileMode(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPrefix+"*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op once renamed
	if err := tmp.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// RemoveLeftovers removes from dir the temporary files of writes that a crash
// interrupted. They may hold anything WriteFile was given, passwords included. Call
// it only while nothing writes to dir, as Open does at start.
func RemoveLeftovers(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), tempPrefix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// syncDir makes the entries of dir durable: on Unix a rename is on disk only once its
// directory is synced. Windows has no directory sync; there the rename relies on the
// file system's metadata journal.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

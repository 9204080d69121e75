package pairing

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/wpservice/wpservice/internal/store"
)

// fileVersion is the format version written to the pairing file.
const fileVersion = 1

// fileDoc is the on-disk form: origins with the SHA-256 of their token, never the token.
type fileDoc struct {
	Version  int         `json:"version"`
	Pairings []fileEntry `json:"pairings"`
}

type fileEntry struct {
	Origin   string    `json:"origin"`
	Hash     string    `json:"sha256"`
	Approved time.Time `json:"approved"`
}

// pairing is the in-memory record of one paired origin.
type pairing struct {
	hash     [32]byte
	approved time.Time
}

// load reads the pairing file at path. A missing file is an empty set.
func load(path string) (map[string]pairing, error) {
	out := make(map[string]pairing)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrCorruptFile)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, ErrInsecureFile
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc fileDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptFile, err)
	}
	if doc.Version != fileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptFile, doc.Version)
	}
	for _, e := range doc.Pairings {
		origin, err := canonical(e.Origin)
		if err != nil || origin != e.Origin {
			return nil, fmt.Errorf("%w: invalid origin entry", ErrCorruptFile)
		}
		h, err := hex.DecodeString(e.Hash)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("%w: invalid hash for %s", ErrCorruptFile, origin)
		}
		if _, dup := out[origin]; dup {
			return nil, fmt.Errorf("%w: duplicate origin %s", ErrCorruptFile, origin)
		}
		var p pairing
		copy(p.hash[:], h)
		p.approved = e.Approved
		out[origin] = p
	}
	return out, nil
}

// save writes the pairings to path atomically: a 0600 temporary file in the same directory,
// synced, then renamed over the old file.
func save(path string, pairings map[string]pairing) error {
	doc := fileDoc{Version: fileVersion, Pairings: make([]fileEntry, 0, len(pairings))}
	for _, o := range sortedKeys(pairings) {
		p := pairings[o]
		doc.Pairings = append(doc.Pairings, fileEntry{
			Origin: o, Hash: hex.EncodeToString(p.hash[:]), Approved: p.approved.UTC(),
		})
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return store.WriteFile(path, data)
}

// prepareDir creates the directory of path with mode 0700 and refuses one open to others.
func prepareDir(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return ErrInsecureFile
	}
	return nil
}

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
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/store"
)

// fileVersion is the format version written to the pairing file. Version 1, which
// had no permission (every pairing was Control), is read as such and rewritten as 2
// on the next change.
const fileVersion = 2

// fileDoc is the on-disk form: origins with the SHA-256 of their token, never the token,
// and what each may do.
type fileDoc struct {
	Version  int         `json:"version"`
	Pairings []fileEntry `json:"pairings"`
}

type fileEntry struct {
	Origin     string    `json:"origin"`
	Hash       string    `json:"sha256"`
	Approved   time.Time `json:"approved"`
	Permission string    `json:"permission,omitempty"` // absent in version 1: Control
}

// pairing is the in-memory record of one paired origin.
type pairing struct {
	hash     [32]byte
	approved time.Time
	perm     string // Control or Account
}

// load reads the pairing file at path. A missing file is an empty set. An entry is
// filed under its origin's canonical form (two spellings of one origin: the later
// approval wins). An http(s) origin the parser now refuses (an older release took
// some, such as http://127.1, that no browser sends) is left out and returned in
// dropped, so that an upgrade never stops the engine; anything else that is not an
// origin means the file is not ours, ErrCorruptFile.
func load(path string) (_ map[string]pairing, dropped []string, err error) {
	out := make(map[string]pairing)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%w: not a regular file", ErrCorruptFile)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, nil, ErrInsecureFile
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var doc fileDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorruptFile, err)
	}
	if doc.Version != 1 && doc.Version != fileVersion {
		return nil, nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptFile, doc.Version)
	}
	seen := map[string]bool{}
	for _, e := range doc.Pairings {
		if seen[e.Origin] {
			return nil, nil, fmt.Errorf("%w: duplicate origin %s", ErrCorruptFile, e.Origin)
		}
		seen[e.Origin] = true
		origin, err := canonical(e.Origin)
		if err != nil {
			lower := strings.ToLower(e.Origin)
			if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
				return nil, nil, fmt.Errorf("%w: invalid origin entry", ErrCorruptFile)
			}
			dropped = append(dropped, e.Origin)
			continue
		}
		h, err := hex.DecodeString(e.Hash)
		if err != nil || len(h) != 32 {
			return nil, nil, fmt.Errorf("%w: invalid hash for %s", ErrCorruptFile, origin)
		}
		if old, dup := out[origin]; dup && old.approved.After(e.Approved) {
			continue // two spellings of one origin: the later approval wins
		}
		perm := e.Permission
		if doc.Version == 1 {
			perm = Control
		}
		if rank(perm) == 0 {
			return nil, nil, fmt.Errorf("%w: invalid permission for %s", ErrCorruptFile, origin)
		}
		p := pairing{approved: e.Approved, perm: perm}
		copy(p.hash[:], h)
		out[origin] = p
	}
	return out, dropped, nil
}

// save writes the pairings to path atomically: a 0600 temporary file in the same directory,
// synced, then renamed over the old file.
func save(path string, pairings map[string]pairing) error {
	doc := fileDoc{Version: fileVersion, Pairings: make([]fileEntry, 0, len(pairings))}
	for _, o := range sortedKeys(pairings) {
		p := pairings[o]
		doc.Pairings = append(doc.Pairings, fileEntry{
			Origin: o, Hash: hex.EncodeToString(p.hash[:]), Approved: p.approved.UTC(), Permission: p.perm,
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

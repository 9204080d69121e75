package accountstore

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/wpservice/wpservice/internal/account"
)

// FormatVersion is the version of the account file this release writes.
//
//   - Release 1 wrote one account as a bare object keyed by Go field names
//     ("Server", "Username"...), without a version; its oldest builds kept the
//     password in it.
//   - Version 2 is {"version": 2, "accounts": [...]}: a list, each account keyed by
//     the JSON names of account.Account, never with its password. Later builds add
//     "passwordEntry" (absent: 0), which of the two keeper entries holds the first
//     account's password (entries.go). A build from before it reads entry 0, so going
//     back to one finds the password only when that is the entry in use.
//   - Several accounts keep version 2: each account has an "id" and its own
//     "passwordEntry", and the file says the id the next account gets ("nextId")
//     and the ids of removed accounts whose passwords may not be deleted yet
//     ("retired"). The account with id "1" (the first ever, account.FirstID)
//     keeps release 1's keeper entries and the top-level "passwordEntry", so a
//     build from before reads its first account as it always did while that is
//     account 1, and keeps the others as it finds them. A file without ids is
//     read as its accounts numbered from 1 in order (decode).
const FormatVersion = 2

// document is the account file since version 2.
type document struct {
	Version  int      `json:"version"`
	Accounts []record `json:"accounts"`
	// PasswordEntry names the keeper entry of account 1's password: 0 or 1.
	PasswordEntry int `json:"passwordEntry,omitempty"`
	// NextID is the number of the next account added; absent: one more than the
	// accounts of a file without ids.
	NextID int `json:"nextId,omitempty"`
	// Retired are the ids of removed accounts whose keeper entries a crash may have
	// left: Recover deletes them.
	Retired []string `json:"retired,omitempty"`

	// unnumbered: read from a file whose accounts had no ids (decode numbered them).
	unnumbered bool
}

// record is one account in the account file: its fields, its id and the keeper
// entry of its password (that of account 1 is the document's).
type record struct {
	account.Account
	ID            string `json:"id,omitempty"`
	PasswordEntry int    `json:"passwordEntry,omitempty"`
}

// release1Account is the account file of release 1, read and never written. Its keys
// are the field names of the struct that release saved; they may not change.
type release1Account struct {
	Server           string   `json:"Server"`
	Username         string   `json:"Username"`
	AuthUsername     string   `json:"AuthUsername"`
	Password         string   `json:"Password"`
	DisplayName      string   `json:"DisplayName"`
	Transport        string   `json:"Transport"`
	OutboundProxy    string   `json:"OutboundProxy"`
	RegisterInterval int      `json:"RegisterInterval"`
	Codecs           []string `json:"Codecs"`
	Register         bool     `json:"Register"`
}

func (r release1Account) account() account.Account {
	return account.Account{
		Server: r.Server, Username: r.Username, AuthUsername: r.AuthUsername, Password: r.Password,
		DisplayName: r.DisplayName, Transport: r.Transport, OutboundProxy: r.OutboundProxy,
		RegisterInterval: r.RegisterInterval, Codecs: r.Codecs, Register: r.Register,
	}
}

// decode reads an account file of any known version. Accounts come back as saved:
// without their password, except from a release-1 file that still held one, whose
// password entry is 0. Every account has an id (numbered), and NextID is set.
func decode(data []byte) (document, error) {
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return document{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	var d document
	switch {
	case head.Version == nil:
		var r release1Account
		if err := json.Unmarshal(data, &r); err != nil {
			return document{}, fmt.Errorf("%w: release 1: %w", ErrCorrupt, err)
		}
		d = document{Version: FormatVersion, Accounts: []record{{Account: r.account()}}}
	case *head.Version == FormatVersion:
		if err := json.Unmarshal(data, &d); err != nil {
			return document{}, fmt.Errorf("%w: version %d: %w", ErrCorrupt, FormatVersion, err)
		}
	case *head.Version > FormatVersion:
		return document{}, fmt.Errorf("%w: version %d, this release reads up to %d", ErrNewerFormat, *head.Version, FormatVersion)
	default:
		return document{}, fmt.Errorf("%w: unknown version %d", ErrCorrupt, *head.Version)
	}
	return d, d.number()
}

// number gives the accounts of a file without ids their ids, 1 and on in order
// (one from before several accounts: its first is account 1), takes account 1's
// password entry from the document, and checks what the file says.
func (d *document) number() error {
	if d.PasswordEntry != 0 && d.PasswordEntry != 1 {
		return fmt.Errorf("%w: password entry %d", ErrCorrupt, d.PasswordEntry)
	}
	seen := map[string]bool{}
	for i := range d.Accounts {
		r := &d.Accounts[i]
		if r.ID == "" {
			r.ID, d.unnumbered = strconv.Itoa(i+1), true
		}
		n, err := strconv.Atoi(r.ID)
		if err != nil || n < 1 || strconv.Itoa(n) != r.ID || seen[r.ID] {
			return fmt.Errorf("%w: account id %q", ErrCorrupt, r.ID)
		}
		seen[r.ID] = true
		d.NextID = max(d.NextID, n+1)
		if r.ID == account.FirstID {
			r.PasswordEntry = d.PasswordEntry
		}
		if r.PasswordEntry != 0 && r.PasswordEntry != 1 {
			return fmt.Errorf("%w: password entry %d", ErrCorrupt, r.PasswordEntry)
		}
	}
	d.NextID = max(d.NextID, 1)
	return nil
}

// find returns the index of the account with id, or -1.
func (d *document) find(id string) int {
	for i, r := range d.Accounts {
		if r.ID == id {
			return i
		}
	}
	return -1
}

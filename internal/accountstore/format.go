package accountstore

import (
	"encoding/json"
	"fmt"

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
const FormatVersion = 2

// document is the account file since version 2.
type document struct {
	Version  int               `json:"version"`
	Accounts []account.Account `json:"accounts"`
	// PasswordEntry names the keeper entry of the first account's password: 0 or 1.
	PasswordEntry int `json:"passwordEntry,omitempty"`
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
// password entry is 0.
func decode(data []byte) (document, error) {
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return document{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	switch {
	case head.Version == nil:
		var r release1Account
		if err := json.Unmarshal(data, &r); err != nil {
			return document{}, fmt.Errorf("%w: release 1: %w", ErrCorrupt, err)
		}
		return document{Version: FormatVersion, Accounts: []account.Account{r.account()}}, nil
	case *head.Version == FormatVersion:
		var d document
		if err := json.Unmarshal(data, &d); err != nil {
			return document{}, fmt.Errorf("%w: version %d: %w", ErrCorrupt, FormatVersion, err)
		}
		if d.PasswordEntry != 0 && d.PasswordEntry != 1 {
			return document{}, fmt.Errorf("%w: password entry %d", ErrCorrupt, d.PasswordEntry)
		}
		return d, nil
	case *head.Version > FormatVersion:
		return document{}, fmt.Errorf("%w: version %d, this release reads up to %d", ErrNewerFormat, *head.Version, FormatVersion)
	default:
		return document{}, fmt.Errorf("%w: unknown version %d", ErrCorrupt, *head.Version)
	}
}

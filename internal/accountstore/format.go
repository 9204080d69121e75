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
//     the JSON names of account.Account, never with its password.
const FormatVersion = 2

// document is the account file since version 2.
type document struct {
	Version  int               `json:"version"`
	Accounts []account.Account `json:"accounts"`
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
// without their password, except from a release-1 file that still held one.
func decode(data []byte) ([]account.Account, error) {
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	switch {
	case head.Version == nil:
		var r release1Account
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%w: release 1: %w", ErrCorrupt, err)
		}
		return []account.Account{r.account()}, nil
	case *head.Version == FormatVersion:
		var d document
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("%w: version %d: %w", ErrCorrupt, FormatVersion, err)
		}
		return d.Accounts, nil
	case *head.Version > FormatVersion:
		return nil, fmt.Errorf("%w: version %d, this release reads up to %d", ErrNewerFormat, *head.Version, FormatVersion)
	default:
		return nil, fmt.Errorf("%w: unknown version %d", ErrCorrupt, *head.Version)
	}
}

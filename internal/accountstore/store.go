// Package accountstore keeps the accounts the user sets at run time in the data
// directory: their fields in the owner-only account file (account.json, versioned,
// see format.go), their passwords in the secret keeper (the OS keyring, or an
// owner-only file where there is none). It also moves a password that an older
// release left in the account file into the keeper.
package accountstore

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/secret"
	"github.com/wpservice/wpservice/internal/store"
)

// docName is the account file's document name in the store: account.json.
const docName = "account"

// Store is the saved accounts of one data directory. The engine uses the first;
// the file holds a list so that several accounts fit without a new format.
type Store struct {
	docs   *store.Store
	keeper secret.Keeper
}

// New returns the accounts saved in docs, with their passwords in keeper.
func New(docs *store.Store, keeper secret.Keeper) *Store {
	return &Store{docs: docs, keeper: keeper}
}

// passwordName is the keeper's name for the account's password. It names the data
// directory, so two engines with their own data directories keep their own password.
// Release 1 chose it: changing it would lose every saved password.
func (s *Store) passwordName() string { return "sip-password:" + s.docs.Dir() }

// Load returns the saved account with its password, or a zero Account when none is
// saved. A password that an older release kept in the account file is moved to the
// keeper and the file rewritten without it.
func (s *Store) Load() (account.Account, error) {
	accounts, err := s.read()
	if err != nil || len(accounts) == 0 {
		return account.Account{}, err
	}
	acc := accounts[0]
	if acc.Password != "" {
		return acc, s.SaveAccount(acc)
	}
	pw, err := s.keeper.Get(s.passwordName())
	switch {
	case errors.Is(err, secret.ErrNotFound):
	case err != nil:
		return acc, fmt.Errorf("reading the password (%s): %w", s.keeper.Kind(), err)
	default:
		acc.Password = pw
	}
	return acc, nil
}

// SaveAccount saves a as the account the engine uses: its password in the keeper (or
// removed from it when empty), the rest in the account file, whose other accounts
// are kept. A file written by a newer release is not overwritten.
func (s *Store) SaveAccount(a account.Account) error {
	accounts, err := s.read()
	switch {
	case errors.Is(err, ErrNewerFormat):
		return err
	case err != nil:
		accounts = nil // unreadable: the account being saved replaces it
	}
	if err := s.savePassword(a.Password); err != nil {
		return err
	}
	if len(accounts) == 0 {
		accounts = []account.Account{a}
	} else {
		accounts[0] = a
	}
	return s.docs.Save(docName, document{Version: FormatVersion, Accounts: accounts})
}

func (s *Store) savePassword(pw string) error {
	var err error
	if pw == "" {
		if err = s.keeper.Delete(s.passwordName()); errors.Is(err, secret.ErrNotFound) {
			err = nil
		}
	} else {
		err = s.keeper.Set(s.passwordName(), pw)
	}
	if err != nil {
		return fmt.Errorf("saving the password (%s): %w", s.keeper.Kind(), err)
	}
	return nil
}

// read decodes the account file; no file is no account.
func (s *Store) read() ([]account.Account, error) {
	var raw json.RawMessage
	if err := s.docs.Load(docName, &raw); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return decode(raw)
}

// Package accountstore keeps the accounts the user sets at run time in the data
// directory: their fields in the owner-only account file (account.json, versioned,
// see format.go), their passwords in the secret keeper (the OS keyring, or an
// owner-only file where there is none), so that an account and its password change
// together or not at all (entries.go). It also moves a password that an older
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

// Load returns the saved account with its password, or a zero Account when none is
// saved. A password that an older release kept in the account file is moved to the
// keeper and the file rewritten without it.
func (s *Store) Load() (account.Account, error) {
	doc, _, err := s.readDoc()
	if err != nil || len(doc.Accounts) == 0 {
		return account.Account{}, err
	}
	acc := doc.Accounts[0]
	if acc.Password != "" {
		return acc, s.movePassword(doc)
	}
	pw, err := s.keeper.Get(s.entryName(doc.PasswordEntry))
	switch {
	case errors.Is(err, secret.ErrNotFound):
	case err != nil:
		return acc, fmt.Errorf("reading the password (%s): %w", s.keeper.Kind(), err)
	default:
		acc.Password = pw
	}
	return acc, nil
}

// SaveAccount saves a as the account the engine uses, its password in the keeper (or
// none when empty), the rest in the account file, whose other accounts are kept. The
// account and its password change together or not at all, whenever the engine dies
// (entries.go). A file written by a newer release is not overwritten.
func (s *Store) SaveAccount(a account.Account) error {
	doc, exists, err := s.readDoc()
	switch {
	case errors.Is(err, ErrNewerFormat):
		return err
	case err != nil:
		doc, exists = document{}, false // unreadable: the account being saved replaces it
	}
	next := 0
	if exists {
		next = 1 - doc.PasswordEntry
	}
	if err := s.setEntry(next, a.Password); err != nil {
		return err
	}
	if len(doc.Accounts) == 0 {
		doc.Accounts = []account.Account{a}
	} else {
		doc.Accounts[0] = a
	}
	if err := s.write(doc, next); err != nil {
		return err
	}
	return s.setEntry(1-next, "")
}

// movePassword moves the password that a release-1 account file holds to the entry
// that file names and rewrites the file without it. The account does not change, so
// a crash in between is harmless: the next start moves the password again.
func (s *Store) movePassword(doc document) error {
	if err := s.setEntry(doc.PasswordEntry, doc.Accounts[0].Password); err != nil {
		return err
	}
	return s.write(doc, doc.PasswordEntry)
}

// write replaces the account file with doc's accounts (never with a password: the
// field is not in account.Account's JSON), naming password entry e.
func (s *Store) write(doc document, e int) error {
	return s.docs.Save(docName, document{Version: FormatVersion, Accounts: doc.Accounts, PasswordEntry: e})
}

// readDoc decodes the account file and reports whether there is one.
func (s *Store) readDoc() (document, bool, error) {
	var raw json.RawMessage
	if err := s.docs.Load(docName, &raw); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return document{}, false, nil
		}
		return document{}, false, err
	}
	doc, err := decode(raw)
	return doc, err == nil, err
}

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
	"strconv"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/secret"
	"github.com/wpservice/wpservice/internal/store"
)

// docName is the account file's document name in the store: account.json.
const docName = "account"

// ErrNoSuchAccount: no saved account has the id.
var ErrNoSuchAccount = errors.New("accountstore: no such account")

// Store is the saved accounts of one data directory, in order; the first is the
// engine's default account.
type Store struct {
	docs   *store.Store
	keeper secret.Keeper
}

// New returns the accounts saved in docs, with their passwords in keeper.
func New(docs *store.Store, keeper secret.Keeper) *Store {
	return &Store{docs: docs, keeper: keeper}
}

// Load returns the first saved account with its password, or a zero Account when
// none is saved. A password that an older release kept in the account file is moved
// to the keeper and the file rewritten without it.
func (s *Store) Load() (account.Account, error) {
	all, err := s.LoadAll()
	if len(all) == 0 {
		return account.Account{}, err
	}
	return all[0].Account, err
}

// LoadAll returns every saved account with its id and password, in order. An
// account whose password cannot be read comes back without it, and the error says so.
func (s *Store) LoadAll() ([]account.Entry, error) {
	doc, _, err := s.readDoc()
	if err != nil || len(doc.Accounts) == 0 {
		return nil, err
	}
	if doc.Accounts[0].Password != "" {
		if err := s.movePassword(doc); err != nil {
			return entries(doc), err
		}
	}
	out := entries(doc)
	var errs []error
	for i, r := range doc.Accounts {
		if r.Password != "" {
			continue
		}
		pw, err := s.keeper.Get(s.entryOf(r.ID, r.PasswordEntry))
		switch {
		case errors.Is(err, secret.ErrNotFound):
		case err != nil:
			errs = append(errs, fmt.Errorf("reading the password of account %s (%s): %w", r.ID, s.keeper.Kind(), err))
		default:
			out[i].Account.Password = pw
		}
	}
	return out, errors.Join(errs...)
}

// entries is the accounts of doc with their ids.
func entries(doc document) []account.Entry {
	out := make([]account.Entry, len(doc.Accounts))
	for i, r := range doc.Accounts {
		out[i] = account.Entry{ID: r.ID, Account: r.Account}
	}
	return out
}

// SaveAccount saves a as the first account, the engine's default, its password in
// the keeper (or none when empty), the rest in the account file, whose other
// accounts are kept. With no account saved, a becomes the first. The account and its
// password change together or not at all, whenever the engine dies (entries.go). A
// file written by a newer release is not overwritten.
func (s *Store) SaveAccount(a account.Account) error {
	doc, err := s.writable()
	if err != nil {
		return err
	}
	if len(doc.Accounts) == 0 {
		_, err := s.add(doc, a)
		return err
	}
	return s.update(doc, 0, a)
}

// Add saves a as a new account after the others and returns its id.
func (s *Store) Add(a account.Account) (string, error) {
	doc, err := s.writable()
	if err != nil {
		return "", err
	}
	return s.add(doc, a)
}

// Update saves a as the account with id.
func (s *Store) Update(id string, a account.Account) error {
	doc, err := s.writable()
	if err != nil {
		return err
	}
	i := doc.find(id)
	if i < 0 {
		return fmt.Errorf("%w: %s", ErrNoSuchAccount, id)
	}
	return s.update(doc, i, a)
}

// Remove deletes the account with id and its password. Once it returns, the
// account is gone from the file; its password is gone from the keeper, or will be
// at the next start (Recover) if the keeper refused now.
func (s *Store) Remove(id string) error {
	doc, err := s.writable()
	if err != nil {
		return err
	}
	i := doc.find(id)
	if i < 0 {
		return fmt.Errorf("%w: %s", ErrNoSuchAccount, id)
	}
	doc.Accounts = append(doc.Accounts[:i:i], doc.Accounts[i+1:]...)
	doc.Retired = append(doc.Retired, id)
	if err := s.write(doc); err != nil {
		return err
	}
	// The account is removed: should the keeper refuse a delete, or the note's
	// removal fail, Recover deletes the entries at the next start.
	if errors.Join(s.setEntry(id, 0, ""), s.setEntry(id, 1, "")) == nil {
		doc.Retired = doc.Retired[:len(doc.Retired)-1]
		_ = s.write(doc)
	}
	return nil
}

// add writes a's password to entry 0 of the next id, then the file with a.
func (s *Store) add(doc document, a account.Account) (string, error) {
	id := strconv.Itoa(doc.NextID)
	if err := s.setEntry(id, 0, a.Password); err != nil {
		return "", err
	}
	doc.Accounts = append(doc.Accounts, record{Account: a, ID: id})
	doc.NextID++
	return id, s.write(doc)
}

// update writes a's password to the other entry of account i, the file naming it,
// then deletes the entry left.
func (s *Store) update(doc document, i int, a account.Account) error {
	r := &doc.Accounts[i]
	next := 1 - r.PasswordEntry
	if err := s.setEntry(r.ID, next, a.Password); err != nil {
		return err
	}
	r.Account, r.PasswordEntry = a, next
	if err := s.write(doc); err != nil {
		return err
	}
	return s.setEntry(r.ID, 1-next, "")
}

// writable is the account file to change: the one saved, or none when it is
// unreadable (the change replaces it), but never one of a newer release.
func (s *Store) writable() (document, error) {
	doc, _, err := s.readDoc()
	switch {
	case errors.Is(err, ErrNewerFormat):
		return document{}, err
	case err != nil:
		return document{Version: FormatVersion, NextID: 1}, nil
	}
	return doc, nil
}

// movePassword moves the password that a release-1 account file holds to the entry
// that file names and rewrites the file without it. The account does not change, so
// a crash in between is harmless: the next start moves the password again.
func (s *Store) movePassword(doc document) error {
	r := doc.Accounts[0]
	if err := s.setEntry(r.ID, r.PasswordEntry, r.Password); err != nil {
		return err
	}
	return s.write(doc)
}

// migrate rewrites a file read without account ids (or with retired ids Recover has
// deleted) in the current form; a password still inside moves to the keeper first.
func (s *Store) migrate(doc document) error {
	if len(doc.Accounts) > 0 && doc.Accounts[0].Password != "" {
		return s.movePassword(doc)
	}
	return s.write(doc)
}

// write replaces the account file with doc (never with a password: the field is not
// in account.Account's JSON); account 1's password entry is also the document's.
func (s *Store) write(doc document) error {
	doc.Version, doc.PasswordEntry = FormatVersion, 0
	if i := doc.find(account.FirstID); i >= 0 {
		doc.PasswordEntry = doc.Accounts[i].PasswordEntry
	}
	return s.docs.Save(docName, doc)
}

// readDoc decodes the account file and reports whether there is one. With none, the
// document is empty and the next account is account 1.
func (s *Store) readDoc() (document, bool, error) {
	var raw json.RawMessage
	if err := s.docs.Load(docName, &raw); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return document{Version: FormatVersion, NextID: 1}, false, nil
		}
		return document{}, false, err
	}
	doc, err := decode(raw)
	return doc, err == nil, err
}

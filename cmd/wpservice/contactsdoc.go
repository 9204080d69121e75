package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/store"
)

// contactsDoc is the store's document of the contact list (contacts.json),
// written whole and atomically (store.WriteFile) at each change, so a crash leaves
// the list before a change or the one after it.
const contactsDoc = "contacts"

// contactsVersion is the version of the document's format.
const contactsVersion = 1

// contactsFile is the document.
type contactsFile struct {
	Version  int           `json:"version"`
	Contacts []api.Contact `json:"contacts"`
}

// contactsStore keeps the contact list in the data directory.
type contactsStore struct{ st *store.Store }

// SaveContacts writes the list.
func (s contactsStore) SaveContacts(list []api.Contact) error {
	return s.st.Save(contactsDoc, contactsFile{Version: contactsVersion, Contacts: list})
}

// loadContacts reads the contact list; none when there is none, or when it cannot
// be read, which is logged (the file is kept: the next change replaces it).
func loadContacts(st *store.Store, log *slog.Logger) []api.Contact {
	var f contactsFile
	err := st.Load(contactsDoc, &f)
	if err == nil && f.Version != contactsVersion {
		err = fmt.Errorf("contacts.json version %d, want %d", f.Version, contactsVersion)
	}
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			log.Warn("saved contacts ignored", "err", err)
		}
		return nil
	}
	return f.Contacts
}

package phone

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wpservice/wpservice/internal/api"
)

// The contact list is the actor's: the presence and busy-lamp subscriptions follow
// it. Each change is saved whole (ContactsStore, an atomic write) before it is made
// and acknowledged, as the settings are, and reported as contacts.changed.

// ContactsStore keeps the contact list.
type ContactsStore interface {
	SaveContacts([]api.Contact) error
}

// Limits of the contact list.
const (
	MaxContacts      = 1000
	maxContactName   = 128 // characters
	maxContactNumber = 256 // bytes
)

// contactsHandlers are the contact list's commands.
func (p *Phone) contactsHandlers() []api.Handler {
	return []api.Handler{
		onActor(p, api.CmdContactsList, func(*api.NoArgs) (api.ContactList, error) { return p.contactList(), nil }),
		onActor(p, api.CmdContactsSet, p.setContact),
		onActor(p, api.CmdContactsDelete, p.deleteContact),
		onActor(p, api.CmdContactsImport, p.importContacts),
		onActorLater(p, api.CmdBLFPickup, p.pickup), // blfpickup.go
	}
}

// loadedContacts is the saved list with its entries checked: one that is not
// valid (a file edited by hand) is dropped and logged.
func loadedContacts(saved []api.Contact, log *slog.Logger) []api.Contact {
	list := []api.Contact{}
	seen := map[string]bool{}
	for _, c := range saved {
		name, errName := contactName(c.Name)
		number, errNumber := contactNumber(c.Number)
		if errName != nil || errNumber != nil || c.ID == "" || seen[c.ID] || len(list) == MaxContacts {
			log.Warn("saved contact dropped", "id", c.ID)
			continue
		}
		seen[c.ID] = true
		c.Name, c.Number = name, number
		list = append(list, c)
	}
	sortContacts(list)
	return list
}

// contactList is a copy of the list.
func (p *Phone) contactList() api.ContactList {
	return api.ContactList{Contacts: slices.Clone(p.contacts)}
}

// setContact adds a contact or changes one.
func (p *Phone) setContact(a *api.ContactArgs) (api.Contact, error) {
	list := slices.Clone(p.contacts)
	var c api.Contact
	i := -1
	if a.ID != "" {
		if i = slices.IndexFunc(list, func(c api.Contact) bool { return c.ID == a.ID }); i < 0 {
			return api.Contact{}, ErrNoContact
		}
		c = list[i]
	} else {
		if len(list) >= MaxContacts {
			return api.Contact{}, api.BadArg("id", fmt.Sprintf("the list is full (%d contacts)", MaxContacts))
		}
		if a.Number == nil {
			return api.Contact{}, api.BadArg("number", "a new contact needs a number")
		}
		c.ID = newContactID()
	}
	if a.Number != nil {
		n, err := contactNumber(*a.Number)
		if err != nil {
			return api.Contact{}, err
		}
		c.Number = n
	}
	if a.Name != nil {
		n, err := contactName(*a.Name)
		if err != nil {
			return api.Contact{}, err
		}
		c.Name = n
	}
	if a.Presence != nil {
		c.Presence = *a.Presence
	}
	if a.BLF != nil {
		c.BLF = *a.BLF
	}
	if a.Account != nil {
		id, err := p.contactAccount(*a.Account)
		if err != nil {
			return api.Contact{}, err
		}
		c.Account = id
	}
	if i >= 0 {
		list[i] = c
	} else {
		list = append(list, c)
	}
	if err := p.saveContacts(list); err != nil {
		return api.Contact{}, err
	}
	return c, nil
}

// deleteContact removes a contact.
func (p *Phone) deleteContact(r *api.ContactRef) (api.Empty, error) {
	i := slices.IndexFunc(p.contacts, func(c api.Contact) bool { return c.ID == r.ID })
	if i < 0 {
		return api.Empty{}, ErrNoContact
	}
	return api.Empty{}, p.saveContacts(slices.Delete(slices.Clone(p.contacts), i, i+1))
}

// saveContacts makes list the contact list: sorted, saved, reported, watched.
func (p *Phone) saveContacts(list []api.Contact) error {
	sortContacts(list)
	if p.cfg.ContactsStore != nil {
		if err := p.cfg.ContactsStore.SaveContacts(list); err != nil {
			p.log.Warn("save contacts", "err", err)
			return fmt.Errorf("%w: %w", ErrStorage, err)
		}
	}
	p.contacts = list
	p.bus.Emit(api.EvContacts, p.contactList())
	p.syncWatches() // watches.go
	return nil
}

// sortContacts orders list by name (without case), then number.
func sortContacts(list []api.Contact) {
	slices.SortStableFunc(list, func(a, b api.Contact) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
}

// contactName checks and trims a name: printable, at most maxContactName characters.
func contactName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxContactName ||
		strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) {
		return "", api.BadArg("name", "printable text of at most 128 characters")
	}
	return s, nil
}

// contactNumber checks a number, user or SIP URI; a phone number's spaces, dots,
// dashes and brackets are taken out ("+1 (555) 010-0" is "+15550100").
func contactNumber(s string) (string, error) {
	s = strings.TrimSpace(s)
	if isNumber(s) {
		s = strings.Map(func(r rune) rune {
			if r == '+' || (r >= '0' && r <= '9') {
				return r
			}
			return -1
		}, s)
	}
	if s == "" || len(s) > maxContactNumber || !policyText(s) {
		return "", api.BadArg("number", "a number, a user or a SIP URI of at most 256 characters, without spaces")
	}
	return s, nil
}

// newContactID is a random id, unique in practice.
func newContactID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

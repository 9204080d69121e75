package phone

import (
	"errors"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// contactsRecord keeps what SaveContacts was given, or refuses it when full.
type contactsRecord struct {
	saved [][]api.Contact
	full  bool
}

func (s *contactsRecord) SaveContacts(list []api.Contact) error {
	if s.full {
		return errors.New("write contacts.json: no space left on device")
	}
	s.saved = append(s.saved, slices.Clone(list))
	return nil
}

func names(list []api.Contact) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Name+"="+c.Number)
	}
	return out
}

// TestContactsSetListDelete: contacts are added, changed field by field, listed by
// name, deleted; each change is saved before it is acknowledged and reported.
func TestContactsSetListDelete(t *testing.T) {
	rec := &contactsRecord{}
	r := newRig(t, func(c *Config) { c.ContactsStore = rec })
	bob := r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Bob"), Number: ptr("+1 (555) 010-0"), BLF: ptr(true)}).(api.Contact)
	if bob.ID == "" || bob.Number != "+15550100" || !bob.BLF || bob.Presence {
		t.Fatalf("added %+v", bob)
	}
	if got := r.nextEvent(api.EvContacts).(api.ContactList); len(got.Contacts) != 1 {
		t.Fatalf("contacts.changed %+v", got)
	}
	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("  alice "), Number: ptr("sip:alice@example.com"), Presence: ptr(true)})
	changed := r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{ID: bob.ID, Presence: ptr(true)}).(api.Contact)
	if changed.Name != "Bob" || changed.Number != "+15550100" || !changed.Presence || !changed.BLF {
		t.Fatalf("a change of one field changed others: %+v", changed)
	}
	list := r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList)
	if want := []string{"alice=sip:alice@example.com", "Bob=+15550100"}; !slices.Equal(names(list.Contacts), want) {
		t.Fatalf("list %v, want %v", names(list.Contacts), want)
	}
	if last := rec.saved[len(rec.saved)-1]; !slices.Equal(last, list.Contacts) {
		t.Fatalf("saved %+v, listed %+v", last, list.Contacts)
	}
	r.mustDo(api.CmdContactsDelete.Name, &api.ContactRef{ID: bob.ID})
	if _, err := r.do(api.CmdContactsDelete.Name, &api.ContactRef{ID: bob.ID}); !errors.Is(err, ErrNoContact) {
		t.Fatalf("deleting it again: %v, want ErrNoContact", err)
	}
	if got := r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList); len(got.Contacts) != 1 {
		t.Fatalf("after the delete %+v", got)
	}
}

// TestContactsRefused: bad names and numbers, a new contact without a number and
// an unknown id are refused; a change that cannot be saved is not made.
func TestContactsRefused(t *testing.T) {
	rec := &contactsRecord{}
	r := newRig(t, func(c *Config) { c.ContactsStore = rec })
	for _, a := range []api.ContactArgs{
		{Name: ptr("no number")},
		{Number: ptr("bob smith")},
		{Number: ptr("")},
		{Number: ptr("bob\r\nVia: x")},
		{Name: ptr("bell\a"), Number: ptr("100")},
		{ID: "nope", Name: ptr("x")},
	} {
		if _, err := r.do(api.CmdContactsSet.Name, &a); err == nil {
			t.Errorf("contacts.set %+v was taken", a)
		}
	}
	rec.full = true
	if _, err := r.do(api.CmdContactsSet.Name, &api.ContactArgs{Number: ptr("100")}); !errors.Is(err, ErrStorage) {
		t.Fatalf("with a full disk: %v, want ErrStorage", err)
	}
	if got := r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList); len(got.Contacts) != 0 {
		t.Fatalf("the unsaved contact was kept: %+v", got)
	}
}

// TestContactsImport: a CSV with a header, flags, a semicolon-separated export and
// bad lines; the bad lines are named, the others added or, with replace, set.
func TestContactsImport(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Old"), Number: ptr("999")})
	csv := "Name,Number,Presence,BLF\r\nBob,2001,1,yes\r\n\"Smith, Carol\",+44 20 7946 0000\r\nbad line\r\nDan,sip:dan@pbx,maybe\r\nÉve,2005,0,1\r\n"
	res := r.mustDo(api.CmdContactsImport.Name, &api.ImportArgs{CSV: csv}).(api.ImportResult)
	if res.Added != 3 || len(res.Skipped) != 2 || res.Skipped[0].Line != 4 || res.Skipped[1].Line != 5 {
		t.Fatalf("import %+v", res)
	}
	list := r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList).Contacts
	if want := []string{"Bob=2001", "Old=999", "Smith, Carol=+442079460000", "Éve=2005"}; !slices.Equal(names(list), want) {
		t.Fatalf("list %v, want %v", names(list), want)
	}
	if !list[0].Presence || !list[0].BLF || list[3].Presence || !list[3].BLF {
		t.Fatalf("flags %+v", list)
	}
	res = r.mustDo(api.CmdContactsImport.Name, &api.ImportArgs{CSV: "Zoe;3001;1\n", Replace: true}).(api.ImportResult)
	list = r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList).Contacts
	if res.Added != 1 || len(list) != 1 || list[0].Number != "3001" || !list[0].Presence {
		t.Fatalf("replace: %+v, %+v", res, list)
	}
	if _, err := r.do(api.CmdContactsImport.Name, &api.ImportArgs{CSV: "a,\"b\n"}); err == nil {
		t.Fatal("a CSV with an open quote was taken")
	}
}

// TestContactsLoaded: the saved list is the list at start, its bad entries dropped.
func TestContactsLoaded(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.Contacts = []api.Contact{{ID: "b", Name: "Bob", Number: "2001", BLF: true}, {ID: "x", Name: "Bad", Number: "a b"},
			{ID: "a", Name: "Alice", Number: "2000"}, {ID: "a", Name: "Again", Number: "2002"}}
	})
	list := r.mustDo(api.CmdContactsList.Name, nil).(api.ContactList).Contacts
	if want := []string{"Alice=2000", "Bob=2001"}; !slices.Equal(names(list), want) || !list[1].BLF {
		t.Fatalf("loaded %+v", list)
	}
}

func FuzzParseContactsCSV(f *testing.F) {
	f.Add("Name,Number\nBob,2001,1,0\n")
	f.Add("a;b;c\n\"x\"\"y\";1\n")
	f.Fuzz(func(t *testing.T, doc string) {
		rows, _, err := parseContactsCSV(doc)
		if err != nil {
			return
		}
		for _, r := range rows {
			if _, err := contactNumber(r.c.Number); err != nil || r.c.Number == "" {
				t.Fatalf("row %+v has a bad number", r)
			}
		}
	})
}

package phone

import (
	"errors"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// A contact on an account besides the default is watched from that account, once
// that account (not the default) is registered; a contact naming no account is
// watched from the default; an unknown account is not_found; removing the account
// stops its contacts' subscriptions.
func TestContactWatchedFromItsAccount(t *testing.T) {
	sub := &fakeSubscriber{}
	r, _ := newMultiRig(t, withSubscriber(sub))
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	if _, err := r.do(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Eve"), Number: ptr("2009"), Account: ptr("nobody")}); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("a contact on an unknown account: %v, want not_found", err)
	}
	bob := r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Bob"), Number: ptr("3001"), BLF: ptr(true), Account: ptr(id)}).(api.Contact)
	if bob.Account != id {
		t.Fatalf("contact %+v, want account %s", bob, id)
	}
	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Carol"), Number: ptr("2002"), Presence: ptr(true)})

	r.registered() // the default account only
	for _, w := range sub.all() {
		if w.target == "3001" {
			t.Fatalf("Bob watched before his account registered: %+v", w)
		}
	}
	if w := watchOf(t, sub, "presence", "2002"); w.account != "" {
		t.Errorf("Carol watched from account %q, want the default", w.account)
	}

	r.p.post(func() { r.p.onRegState(api.RegState{Account: id, State: api.RegRegistered}) })
	r.sync()
	w := watchOf(t, sub, "dialog", "3001")
	if w.account != id {
		t.Fatalf("Bob watched from account %q, want %q", w.account, id)
	}

	r.mustDo(api.CmdAccountRemove.Name, &api.AccountRef{ID: id})
	select {
	case <-w.stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("the removed account's contact kept its subscription")
	}
}

package phone

import (
	"maps"
	"slices"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// The contacts' subscriptions: one to the presence of each contact whose presence
// flag is on, one to the dialogs (the busy lamp) of each whose blf flag is on, each
// from the contact's account (the default when it names none) while that account
// is registered. syncWatches makes them follow the list and the registrations;
// presence.go and blf.go read their documents.

// Event packages of the contacts' subscriptions, and what each accepts.
const (
	presenceEvent  = "presence"
	presenceAccept = "application/pidf+xml"
	dialogEvent    = "dialog"
	dialogAccept   = "application/dialog-info+xml"
)

// watchKey names one contact subscription: the account it goes from ("" the
// default), its event package and number.
type watchKey struct{ account, event, number string }

// contactKey names a watched contact: the account it is watched from ("" the
// default) and its number. The same number on two accounts is two contacts.
type contactKey struct{ account, number string }

// contact is the watched contact the subscription k is for.
func (k watchKey) contact() contactKey { return contactKey{k.account, k.number} }

// compare orders contact keys by number, then account.
func (k contactKey) compare(o contactKey) int {
	if c := strings.Compare(k.number, o.number); c != 0 {
		return c
	}
	return strings.Compare(k.account, o.account)
}

// contactWatches are the contacts' subscriptions and what each last said.
type contactWatches struct {
	byKey    map[watchKey]Watch
	presence map[contactKey]api.PresenceState
	blf      map[contactKey]api.BLFState
}

// find is the key of the subscription with this id.
func (w *contactWatches) find(id string) (watchKey, bool) {
	for k, watch := range w.byKey {
		if watch.ID() == id {
			return k, true
		}
	}
	return watchKey{}, false
}

// wantedWatches are the subscriptions the contact list asks for now.
func (p *Phone) wantedWatches() map[watchKey]bool {
	want := map[watchKey]bool{}
	if p.cfg.Subscriber == nil || p.stopping {
		return want
	}
	for _, c := range p.contacts {
		account := p.stackID(c.Account)
		if !p.watchesUp(account) {
			continue
		}
		if c.Presence {
			want[watchKey{account, presenceEvent, c.Number}] = true
		}
		if c.BLF {
			want[watchKey{account, dialogEvent, c.Number}] = true
		}
	}
	return want
}

// watchesUp reports whether the account the SIP port names account may have
// subscriptions: it is registered, or registers again while it has some.
func (p *Phone) watchesUp(account string) bool {
	st, ok := p.stackReg(account) // contactaccount.go
	if !ok {
		return false
	}
	if st.State == api.RegRegistered {
		return true
	}
	if st.State != api.RegRegistering {
		return false
	}
	for k := range p.watches.byKey {
		if k.account == account {
			return true
		}
	}
	return false
}

// syncWatches starts and stops the contacts' subscriptions to match wantedWatches.
func (p *Phone) syncWatches() {
	want := p.wantedWatches()
	if p.watches.byKey == nil {
		p.watches = contactWatches{byKey: map[watchKey]Watch{}, presence: map[contactKey]api.PresenceState{}, blf: map[contactKey]api.BLFState{}}
	}
	for k, w := range p.watches.byKey {
		if !want[k] {
			p.stopWatch(w)
			delete(p.watches.byKey, k)
			p.forgetState(k)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(want), func(a, b watchKey) int {
		if c := a.contact().compare(b.contact()); c != 0 {
			return c
		}
		return strings.Compare(a.event, b.event)
	}) {
		if _, ok := p.watches.byKey[k]; ok {
			continue
		}
		accept := presenceAccept
		if k.event == dialogEvent {
			accept = dialogAccept
		}
		w, err := p.cfg.Subscriber.Subscribe(k.account, k.number, k.event, accept)
		if err != nil {
			p.log.Warn("contact subscription", "event", k.event, "number", k.number, "account", k.account, "err", err)
			continue
		}
		p.watches.byKey[k] = w
	}
}

// forgetState drops what a subscription no longer wanted last said.
func (p *Phone) forgetState(k watchKey) {
	if k.event == presenceEvent {
		delete(p.watches.presence, k.contact())
	} else {
		delete(p.watches.blf, k.contact())
		delete(p.dialogs, k.contact())
	}
}

// onContactNotification reads a document of a contact's subscription.
func (p *Phone) onContactNotification(n Notification) {
	k, ok := p.watches.find(n.ID)
	if !ok || len(n.Body) == 0 { // an empty NOTIFY (pending, or the end) says nothing
		return
	}
	switch k.event {
	case presenceEvent:
		p.onPresenceDocument(k.contact(), n)
	case dialogEvent:
		p.onDialogDocument(k.contact(), n)
	}
}

// onContactSubChange reports a contact subscription's state, and marks the contact
// unknown once it failed.
func (p *Phone) onContactSubChange(c SubChange) bool {
	k, ok := p.watches.find(c.ID)
	if !ok {
		return false
	}
	if c.State != api.SubActive {
		switch k.event {
		case presenceEvent:
			p.setPresence(api.PresenceState{Number: k.number, Account: k.account, State: unknownPresence(c)})
		case dialogEvent:
			p.setLamp(api.BLFState{Number: k.number, Account: k.account, Lamp: api.LampUnknown})
		}
	}
	return true
}

// snapshotWatches are the presence and lamps for the snapshot, by number and
// account.
func (p *Phone) snapshotWatches() ([]api.PresenceState, []api.BLFState) {
	pres := []api.PresenceState{}
	for _, k := range slices.SortedFunc(maps.Keys(p.watches.presence), contactKey.compare) {
		pres = append(pres, p.watches.presence[k])
	}
	blf := []api.BLFState{}
	for _, k := range slices.SortedFunc(maps.Keys(p.watches.blf), contactKey.compare) {
		blf = append(blf, p.watches.blf[k])
	}
	return pres, blf
}

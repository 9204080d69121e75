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

// contactWatches are the contacts' subscriptions and what each last said.
type contactWatches struct {
	byKey    map[watchKey]Watch
	presence map[string]api.PresenceState // by number
	blf      map[string]api.BLFState      // by number
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
		p.watches = contactWatches{byKey: map[watchKey]Watch{}, presence: map[string]api.PresenceState{}, blf: map[string]api.BLFState{}}
	}
	for k, w := range p.watches.byKey {
		if !want[k] {
			p.stopWatch(w)
			delete(p.watches.byKey, k)
			p.forgetState(k)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(want), func(a, b watchKey) int {
		if a.number != b.number {
			return strings.Compare(a.number, b.number)
		}
		if a.account != b.account {
			return strings.Compare(a.account, b.account)
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
		delete(p.watches.presence, k.number)
	} else {
		delete(p.watches.blf, k.number)
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
		p.onPresenceDocument(k.number, n)
	case dialogEvent:
		p.onDialogDocument(k.number, n)
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
			p.setPresence(api.PresenceState{Number: k.number, State: unknownPresence(c)})
		case dialogEvent:
			p.setLamp(api.BLFState{Number: k.number, Lamp: api.LampUnknown})
		}
	}
	return true
}

// snapshotWatches are the presence and lamps for the snapshot, by number.
func (p *Phone) snapshotWatches() ([]api.PresenceState, []api.BLFState) {
	pres := []api.PresenceState{}
	for _, n := range slices.Sorted(maps.Keys(p.watches.presence)) {
		pres = append(pres, p.watches.presence[n])
	}
	blf := []api.BLFState{}
	for _, n := range slices.Sorted(maps.Keys(p.watches.blf)) {
		blf = append(blf, p.watches.blf[n])
	}
	return pres, blf
}

package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// The same number on two accounts is two contacts: each is watched from its own
// account, and its presence and lamp are reported, kept and picked up with that
// account, never mixed with the other's.
func TestPresenceKeyedByAccount(t *testing.T) {
	sub := &fakeSubscriber{}
	r, m := newMultiRig(t, withSubscriber(sub))
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	for _, account := range []string{"", id} {
		r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Bob " + account), Number: ptr("3001"),
			Presence: ptr(true), BLF: ptr(true), Account: ptr(account)})
	}
	r.registered()
	r.p.post(func() { r.p.onRegState(api.RegState{Account: id, State: api.RegRegistered}) })
	r.sync()

	r.notified(Notification{ID: watchFrom(t, sub, "", "presence").id, Event: "presence", Body: pidf("open", "")})
	if got := r.nextEvent(api.EvPresence).(api.PresenceState); got != (api.PresenceState{Number: "3001", State: "Available"}) {
		t.Fatalf("presence.state of the default account's contact %+v", got)
	}
	r.notified(Notification{ID: watchFrom(t, sub, id, "presence").id, Event: "presence", Body: pidf("closed", "")})
	if got := r.nextEvent(api.EvPresence).(api.PresenceState); got != (api.PresenceState{Number: "3001", Account: id, State: "Offline"}) {
		t.Fatalf("presence.state of the other account's contact %+v", got)
	}
	r.notified(Notification{ID: watchFrom(t, sub, id, "dialog").id, Event: "dialog",
		Body: dialogInfo("full", `<dialog id="d1" call-id="c1" local-tag="lt" remote-tag="rt" direction="recipient"><state>early</state></dialog>`)})
	ringing := api.BLFState{Number: "3001", Account: id, Lamp: api.LampRinging, State: "early", Direction: "recipient", CallID: "c1"}
	if got := r.nextEvent(api.EvBLF).(api.BLFState); got != ringing {
		t.Fatalf("blf.state %+v, want %+v", got, ringing)
	}
	r.notified(Notification{ID: watchFrom(t, sub, "", "dialog").id, Event: "dialog", Body: dialogInfo("full")})
	if got := r.nextEvent(api.EvBLF).(api.BLFState); got != (api.BLFState{Number: "3001", Lamp: api.LampIdle}) {
		t.Fatalf("blf.state of the default account's contact %+v", got)
	}

	snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot)
	wantPres := []api.PresenceState{{Number: "3001", State: "Available"}, {Number: "3001", Account: id, State: "Offline"}}
	wantBLF := []api.BLFState{{Number: "3001", Lamp: api.LampIdle}, ringing}
	if len(snap.Presence) != 2 || snap.Presence[0] != wantPres[0] || snap.Presence[1] != wantPres[1] {
		t.Fatalf("snapshot presence %+v, want %+v", snap.Presence, wantPres)
	}
	if len(snap.BLF) != 2 || snap.BLF[0] != wantBLF[0] || snap.BLF[1] != wantBLF[1] {
		t.Fatalf("snapshot blf %+v, want %+v", snap.BLF, wantBLF)
	}

	// The other account's presence subscription refused: that Bob is not known,
	// and the subscription.state names his account.
	r.p.post(func() {
		r.p.onSubChange(SubChange{ID: watchFrom(t, sub, id, "presence").id, Event: "presence", State: api.SubTerminated, Code: 404})
	})
	if got := r.nextEvent(api.EvPresence).(api.PresenceState); got != (api.PresenceState{Number: "3001", Account: id, State: "NotExists"}) {
		t.Fatalf("presence.state after a 404 %+v", got)
	}
	if ev := r.nextEvent(api.EvSubscription).(api.SubscriptionState); ev.Account != id || ev.Code != 404 {
		t.Fatalf("subscription.state %+v, want account %s", ev, id)
	}

	// The default account's Bob is idle: nothing to pick up there; the other's
	// ringing call is picked up from his account.
	if _, err := r.do(api.CmdBLFPickup.Name, &api.PickupArgs{Number: "3001"}); err == nil {
		t.Fatal("picked up at the default account's idle contact")
	}
	r.mustDo(api.CmdBLFPickup.Name, &api.PickupArgs{Number: "3001", Account: id})
	d := r.sip.lastDial(t)
	m.mu.Lock()
	from := m.dialedFrom[d]
	m.mu.Unlock()
	if from != id || d.target != "sip:3001@sales.example.com" {
		t.Fatalf("pickup dialled %q from %q, want 3001 from account %s", d.target, from, id)
	}
}

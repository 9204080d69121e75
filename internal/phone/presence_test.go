package phone

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

func pidf(basic, activity string) []byte {
	act := ""
	if activity != "" {
		act = `<dm:person id="p"><rpid:activities><rpid:` + activity + `/></rpid:activities></dm:person>`
	}
	return []byte(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ` +
		`xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@pbx"><tuple id="t"><status><basic>` + basic +
		`</basic></status></tuple>` + act + `</presence>`)
}

// watchOf is the subscription of event for number.
func watchOf(t *testing.T, sub *fakeSubscriber, event, number string) *fakeWatch {
	t.Helper()
	for _, w := range sub.all() {
		if w.event == event && w.target == number {
			return w
		}
	}
	t.Fatalf("no %s subscription for %s in %+v", event, number, sub.all())
	return nil
}

// TestContactPresence: the contacts whose presence flag is on are watched while the
// account is registered; their documents become presence.state in Mizu's states and
// the snapshot; a contact whose flag goes off is no longer watched.
func TestContactPresence(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	bob := r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Bob"), Number: ptr("2001"), Presence: ptr(true)}).(api.Contact)
	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Carol"), Number: ptr("2002")})
	if n := len(sub.all()); n != 0 {
		t.Fatalf("%d subscriptions before the account registered", n)
	}
	r.registered()
	w := watchOf(t, sub, "presence", "2001")
	if w.accept != "application/pidf+xml" || len(sub.all()) != 2 { // the voicemail box, and Bob
		t.Fatalf("subscriptions %+v", sub.all())
	}
	for _, tc := range []struct {
		doc  []byte
		want string
	}{
		{pidf("open", ""), "Available"},
		{pidf("open", "on-the-phone"), "Speaking"},
		{pidf("open", "away"), "Away"},
		{pidf("closed", ""), "Offline"},
	} {
		r.notified(Notification{ID: w.id, Event: "presence", Body: tc.doc})
		if got := r.nextEvent(api.EvPresence).(api.PresenceState); got.Number != "2001" || got.State != tc.want {
			t.Fatalf("presence.state %+v, want %s", got, tc.want)
		}
	}
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(snap.Presence) != 1 || snap.Presence[0].State != "Offline" {
		t.Fatalf("snapshot presence %+v", snap.Presence)
	}
	r.notified(Notification{ID: w.id, Event: "presence", Target: "sip:2001@pbx", Body: []byte("<presence><tuple>")})
	if ev := r.nextEvent(api.EvSubscription).(api.SubscriptionState); ev.State != api.SubMalformed || ev.Event != "presence" {
		t.Fatalf("malformed PIDF: %+v", ev)
	}
	r.p.post(func() { r.p.onSubChange(SubChange{ID: w.id, Event: "presence", State: api.SubTerminated, Code: 404}) })
	if got := r.nextEvent(api.EvPresence).(api.PresenceState); got.State != "NotExists" {
		t.Fatalf("after a 404: %+v", got)
	}

	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{ID: bob.ID, Presence: ptr(false)})
	select {
	case <-w.stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("a contact no longer watched kept its subscription")
	}
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(snap.Presence) != 0 {
		t.Fatalf("snapshot presence of an unwatched contact %+v", snap.Presence)
	}
}

func dialogInfo(full string, dialogs ...string) []byte {
	return []byte(`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="` + full + `" entity="sip:2001@pbx">` +
		strings.Join(dialogs, "") + `</dialog-info>`)
}

func dialogXML(id, state, direction string) string {
	return `<dialog id="` + id + `" call-id="c-` + id + `" direction="` + direction + `"><state>` + state + `</state>` +
		`<remote><identity>sip:carol@pbx</identity></remote></dialog>`
}

// TestContactBLF: a contact's dialog-info documents light its lamp: ringing with
// its direction, busy, hold, idle again when the dialog ends (a partial document).
func TestContactBLF(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Bob"), Number: ptr("2001"), BLF: ptr(true)})
	r.registered()
	w := watchOf(t, sub, "dialog", "2001")
	if w.accept != "application/dialog-info+xml" {
		t.Fatalf("accept %q", w.accept)
	}
	steps := []struct {
		doc  []byte
		want api.BLFState
	}{
		{dialogInfo("full"), api.BLFState{Number: "2001", Lamp: api.LampIdle}},
		{dialogInfo("full", dialogXML("d1", "early", "recipient")),
			api.BLFState{Number: "2001", Lamp: api.LampRinging, State: "early", Direction: "recipient", CallID: "c-d1", Peer: "sip:carol@pbx"}},
		{dialogInfo("partial", dialogXML("d1", "confirmed", "recipient")),
			api.BLFState{Number: "2001", Lamp: api.LampBusy, State: "confirmed", Direction: "recipient", CallID: "c-d1", Peer: "sip:carol@pbx"}},
		{dialogInfo("partial", dialogXML("d1", "terminated", "recipient")), api.BLFState{Number: "2001", Lamp: api.LampIdle}},
	}
	for _, s := range steps {
		r.notified(Notification{ID: w.id, Event: "dialog", Body: s.doc})
		if got := r.nextEvent(api.EvBLF).(api.BLFState); got != s.want {
			t.Fatalf("blf.state %+v, want %+v", got, s.want)
		}
	}
	r.notified(Notification{ID: w.id, Event: "dialog", Body: []byte(`<dialog-info version="x"/>`)})
	if ev := r.nextEvent(api.EvSubscription).(api.SubscriptionState); ev.State != api.SubMalformed {
		t.Fatalf("malformed dialog-info: %+v", ev)
	}
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(snap.BLF) != 1 || snap.BLF[0].Lamp != api.LampIdle {
		t.Fatalf("snapshot blf %+v", snap.BLF)
	}
}

// TestPublishOurPresence: with publishPresence the engine publishes its status
// once registered; busy while a call is up (online only); the status set; nothing
// once publishing is turned off.
func TestPublishOurPresence(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{PublishPresence: ptr(true)})
	if n := len(sub.publications()); n != 0 {
		t.Fatal("published before the account registered")
	}
	r.registered()
	pubs := sub.publications()
	if len(pubs) != 1 || pubs[0].event != "presence" || !strings.Contains(pubs[0].all()[0], "<basic>open</basic>") {
		t.Fatalf("publications %+v", pubs)
	}
	pub := pubs[0]
	r.answeredIncoming(&fakeDialog{id: "in-1"})
	r.sync()
	if docs := pub.all(); !strings.Contains(docs[len(docs)-1], "on-the-phone") {
		t.Fatalf("during a call we published %q", docs[len(docs)-1])
	}
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{All: true})
	r.sync()
	if docs := pub.all(); strings.Contains(docs[len(docs)-1], "on-the-phone") {
		t.Fatalf("after the call we published %q", docs[len(docs)-1])
	}
	s := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{PresenceStatus: ptr("away")}).(api.Settings)
	if s.PresenceStatus != "away" || !s.PublishPresence || !s.PresenceBusyOnCall {
		t.Fatalf("settings %+v", s)
	}
	if docs := pub.all(); !strings.Contains(docs[len(docs)-1], "<rpid:away/>") {
		t.Fatalf("away published as %q", docs[len(docs)-1])
	}
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{PresenceStatus: ptr("Online")}); err == nil {
		t.Fatal("a status in the wrong case was taken")
	}
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{PublishPresence: ptr(false)})
	select {
	case <-pub.stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("publishPresence off left the publication")
	}
}

// TestBLFPickup: a ringing contact's call is picked up with the blfPickup code and
// its number, or without a code with a Replaces of its early dialog; a contact
// that is not ringing is refused.
func TestBLFPickup(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Bob"), Number: ptr("2001"), BLF: ptr(true)})
	r.registered()
	w := watchOf(t, sub, "dialog", "2001")
	if _, err := r.do(api.CmdBLFPickup.Name, &api.PickupArgs{Number: "2001"}); err == nil {
		t.Fatal("picked up a contact whose lamp is unknown")
	}
	ringing := `<dialog id="d1" call-id="c-d1" local-tag="bobtag" remote-tag="carotag" direction="recipient"><state>early</state></dialog>`
	r.notified(Notification{ID: w.id, Event: "dialog", Body: dialogInfo("full", ringing)})
	r.mustDo(api.CmdBLFPickup.Name, &api.PickupArgs{Number: "2001"})
	d := r.lastDialed()
	if d.target != "sip:2001@127.0.0.1:5060" || len(d.headers) != 1 || d.headers[0].Name != "Replaces" ||
		d.headers[0].Value != "c-d1;to-tag=bobtag;from-tag=carotag;early-only" {
		t.Fatalf("pickup by Replaces dialed %q with %+v", d.target, d.headers)
	}
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{All: true})
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{BLFPickup: ptr("*8")})
	r.mustDo(api.CmdBLFPickup.Name, &api.PickupArgs{Number: "2001"})
	if d := r.lastDialed(); d.target != "sip:*82001@127.0.0.1:5060" || len(d.headers) != 0 {
		t.Fatalf("pickup by code dialed %q with %+v", d.target, d.headers)
	}
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{BLFPickup: ptr("*8;x")}); err == nil {
		t.Fatal("a pickup code with a semicolon was taken")
	}
}

// A watched contact's own call, ringing at the other end (direction initiator),
// lights the lamp but is not the contact's to pick up: without a feature code
// blf.pickup fails rather than replace the contact's outgoing call with ours.
func TestBLFPickupSkipsTheContactsOwnCall(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.mustDo(api.CmdContactsSet.Name, &api.ContactArgs{Name: ptr("Bob"), Number: ptr("2001"), BLF: ptr(true)})
	r.registered()
	w := watchOf(t, sub, "dialog", "2001")
	calling := `<dialog id="d1" call-id="c-d1" local-tag="bobtag" remote-tag="carotag" direction="initiator"><state>early</state></dialog>`
	r.notified(Notification{ID: w.id, Event: "dialog", Body: dialogInfo("full", calling)})
	if _, err := r.do(api.CmdBLFPickup.Name, &api.PickupArgs{Number: "2001"}); !errors.Is(err, ErrNoPickup) {
		t.Fatalf("pickup of the contact's own outgoing call: %v, want ErrNoPickup", err)
	}
}

// lastDialed is the last call the engine dialled.
func (r *rig) lastDialed() *fakeDialog {
	r.sip.mu.Lock()
	defer r.sip.mu.Unlock()
	return r.sip.dialed[len(r.sip.dialed)-1]
}

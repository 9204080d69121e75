package phone

import (
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// watchFrom is the subscription of event that the account stackID makes.
func watchFrom(t *testing.T, sub *fakeSubscriber, stackID, event string) *fakeWatch {
	t.Helper()
	for _, w := range sub.all() {
		if w.event == event && w.account == stackID {
			return w
		}
	}
	t.Fatalf("no %s subscription from account %q in %+v", event, stackID, sub.all())
	return nil
}

// Each registered account subscribes to its own voicemail box, from its own SIP
// port; a document of one box is reported with its account (none for the
// default) and kept in the snapshot beside the other's; removing the account ends
// its subscription and empties its box. Its subscription.state events name it.
func TestMWIPerAccount(t *testing.T) {
	sub := &fakeSubscriber{}
	r, _ := newMultiRig(t, withSubscriber(sub))
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	r.registered()
	r.p.post(func() { r.p.onRegState(api.RegState{Account: id, State: api.RegRegistered}) })
	r.sync()

	own, theirs := watchFrom(t, sub, "", "message-summary"), watchFrom(t, sub, id, "message-summary")
	if own.target != "alice" || theirs.target != "2001" {
		t.Fatalf("voicemail subscriptions to %q and %q, want alice and 2001", own.target, theirs.target)
	}
	r.notified(Notification{ID: theirs.id, Event: "message-summary", Body: []byte("Messages-Waiting: yes\r\nVoice-Message: 2/5\r\n")})
	want := api.MWIState{Account: id, Waiting: true, New: 2, Old: 5}
	if got := r.nextEvent(api.EvMWI).(api.MWIState); got != want {
		t.Fatalf("mwi.state %+v, want %+v", got, want)
	}
	r.notified(Notification{ID: own.id, Event: "message-summary", Body: []byte(summary)})
	mine := api.MWIState{Waiting: true, New: 3, Old: 7, UrgentNew: 1, MessageAccount: "sip:alice@vm"}
	if got := r.nextEvent(api.EvMWI).(api.MWIState); got != mine {
		t.Fatalf("mwi.state of the default account %+v, want %+v", got, mine)
	}
	// its subscription's changes, and a document it cannot read, name it too
	r.p.post(func() {
		r.p.onSubChange(SubChange{ID: theirs.id, Event: "message-summary", Target: "sip:2001@sales.example.com", State: api.SubActive, Code: 200})
	})
	if ev := r.nextEvent(api.EvSubscription).(api.SubscriptionState); ev.Account != id || ev.State != api.SubActive {
		t.Fatalf("subscription.state %+v, want account %s active", ev, id)
	}
	r.notified(Notification{ID: theirs.id, Event: "message-summary", Body: []byte("Voice-Message: lots\r\n")})
	if ev := r.nextEvent(api.EvSubscription).(api.SubscriptionState); ev.Account != id || ev.State != api.SubMalformed {
		t.Fatalf("subscription.state %+v, want account %s malformed", ev, id)
	}
	snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot)
	if snap.MWI != mine || len(snap.MWIAccounts) != 1 || snap.MWIAccounts[0] != want {
		t.Fatalf("snapshot mwi %+v, mwiAccounts %+v", snap.MWI, snap.MWIAccounts)
	}

	r.mustDo(api.CmdAccountRemove.Name, &api.AccountRef{ID: id})
	select {
	case <-theirs.stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("the removed account's voicemail subscription was kept")
	}
	if got := r.nextEvent(api.EvMWI).(api.MWIState); got != (api.MWIState{Account: id}) {
		t.Fatalf("mwi.state after the account went %+v, want its box empty", got)
	}
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); snap.MWI != mine || len(snap.MWIAccounts) != 0 {
		t.Fatalf("snapshot after the account went: mwi %+v, mwiAccounts %+v", snap.MWI, snap.MWIAccounts)
	}
}

package phone

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// fakeSubscriber records the subscriptions and publications the engine asks for.
type fakeSubscriber struct {
	mu          sync.Mutex
	watches     []*fakeWatch
	pubs        []*fakePublication
	unsolicited map[string]bool
}

// fakePublication records the documents published.
type fakePublication struct {
	fakeWatch
	mu   sync.Mutex
	docs []string
}

func (p *fakePublication) Update(doc []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs = append(p.docs, string(doc))
}

func (p *fakePublication) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.docs...)
}

func (f *fakeSubscriber) Publish(event, contentType string, doc []byte) (Publication, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &fakePublication{fakeWatch: fakeWatch{id: fmt.Sprintf("p%d", len(f.pubs)+1), event: event, accept: contentType,
		stopped: make(chan struct{})}, docs: []string{string(doc)}}
	f.pubs = append(f.pubs, p)
	return p, nil
}

func (f *fakeSubscriber) publications() []*fakePublication {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*fakePublication(nil), f.pubs...)
}

type fakeWatch struct {
	id, account, target, event, accept string
	stopped                            chan struct{}
}

func (w *fakeWatch) ID() string { return w.id }
func (w *fakeWatch) Stop(context.Context) error {
	close(w.stopped)
	return nil
}

func (f *fakeSubscriber) Subscribe(account, target, event, accept string) (Watch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &fakeWatch{id: fmt.Sprintf("w%d", len(f.watches)+1), account: account, target: target, event: event, accept: accept, stopped: make(chan struct{})}
	f.watches = append(f.watches, w)
	return w, nil
}

func (f *fakeSubscriber) AcceptUnsolicited(event string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.unsolicited == nil {
		f.unsolicited = map[string]bool{}
	}
	f.unsolicited[event] = on
}

func (f *fakeSubscriber) all() []*fakeWatch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*fakeWatch(nil), f.watches...)
}

// withSubscriber gives the rig's engine a fake subscriber.
func withSubscriber(f *fakeSubscriber) func(*Config) {
	return func(c *Config) { c.Subscriber = f }
}

// notified hands the engine a NOTIFY, as the SIP adapter does.
func (r *rig) notified(n Notification) {
	r.p.post(func() { r.p.onNotification(n) })
	r.sync()
}

const summary = "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vm\r\nVoice-Message: 3/7 (1/0)\r\n"

// TestMWISubscribesWhileRegistered: the engine subscribes to the account's
// message-summary once registered, reports each document that changes the counts
// as mwi.state and in the snapshot, and unsubscribes when the registration ends.
func TestMWISubscribesWhileRegistered(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.sync()
	if len(sub.all()) != 0 {
		t.Fatal("subscribed before the account registered")
	}
	r.registered()
	ws := sub.all()
	if len(ws) != 1 || ws[0].target != "alice" || ws[0].event != "message-summary" || ws[0].accept != "application/simple-message-summary" {
		t.Fatalf("subscriptions %+v", ws)
	}
	r.notified(Notification{ID: ws[0].id, Event: "message-summary", Body: []byte(summary)})
	want := api.MWIState{Waiting: true, New: 3, Old: 7, UrgentNew: 1, MessageAccount: "sip:alice@vm"}
	if got := r.nextEvent(api.EvMWI).(api.MWIState); got != want {
		t.Fatalf("mwi.state %+v, want %+v", got, want)
	}
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); snap.MWI != want {
		t.Fatalf("snapshot mwi %+v", snap.MWI)
	}
	// The same counts again change nothing; another subscription's document is not ours.
	r.notified(Notification{ID: ws[0].id, Event: "message-summary", Body: []byte(summary)})
	r.notified(Notification{ID: "other", Event: "message-summary", Body: []byte("Messages-Waiting: no\r\n")})
	r.notified(Notification{ID: ws[0].id, Event: "message-summary", Body: []byte("Messages-Waiting: no\r\n")})
	if got := r.nextEvent(api.EvMWI).(api.MWIState); got != (api.MWIState{}) {
		t.Fatalf("mwi.state %+v after the box emptied (a repeated or foreign document was reported?)", got)
	}

	r.p.post(func() { r.p.onRegState(api.RegState{State: api.RegUnregistered}) })
	r.sync()
	select {
	case <-ws[0].stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("the subscription outlived the registration")
	}
}

// TestMWIMalformedDocument: a document that cannot be read is reported as a
// malformed subscription.state and changes nothing.
func TestMWIMalformedDocument(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.registered()
	w := sub.all()[0]
	r.notified(Notification{ID: w.id, Event: "message-summary", Target: "sip:alice@127.0.0.1", Body: []byte("Voice-Message: lots\r\n")})
	ev := r.nextEvent(api.EvSubscription).(api.SubscriptionState)
	if ev.State != api.SubMalformed || ev.Event != "message-summary" || ev.Reason == "" {
		t.Fatalf("subscription.state %+v", ev)
	}
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); snap.MWI != (api.MWIState{}) {
		t.Fatalf("a malformed document changed the box: %+v", snap.MWI)
	}
}

// TestMWISettings: mwi off ends the subscription; unsolicited NOTIFYs count only
// with mwiUnsolicited, which the stack is told; the voicemail number is checked.
func TestMWISettings(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.registered()
	w := sub.all()[0]
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{MWI: ptr(false)})
	select {
	case <-w.stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("mwi off left the subscription")
	}
	r.notified(Notification{Event: "message-summary", Body: []byte(summary)})
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); snap.MWI != (api.MWIState{}) {
		t.Fatalf("an unsolicited document was taken without mwiUnsolicited: %+v", snap.MWI)
	}
	s := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{MWIUnsolicited: ptr(true), VoicemailNumber: ptr("*97")}).(api.Settings)
	if s.MWI || !s.MWIUnsolicited || s.VoicemailNumber != "*97" {
		t.Fatalf("settings %+v", s)
	}
	sub.mu.Lock()
	told := sub.unsolicited["message-summary"]
	sub.mu.Unlock()
	if !told {
		t.Fatal("the stack was not told to take unsolicited NOTIFYs")
	}
	r.notified(Notification{Event: "message-summary", Body: []byte(summary)})
	if got := r.nextEvent(api.EvMWI).(api.MWIState); got.New != 3 {
		t.Fatalf("unsolicited document: %+v", got)
	}
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{VoicemailNumber: ptr("*97 x")}); err == nil {
		t.Fatal("a voicemail number with a space was taken")
	}
}

// TestMWIUnsubscribesOnShutdown: the engine's shutdown ends the voicemail
// subscription before it unregisters.
func TestMWIUnsubscribesOnShutdown(t *testing.T) {
	sub := &fakeSubscriber{}
	r := newRig(t, withSubscriber(sub))
	r.registered()
	w := sub.all()[0]
	r.stop()
	select {
	case <-w.stopped:
	default:
		t.Fatal("the engine stopped with its voicemail subscription standing")
	}
	if n := len(sub.all()); n != 1 {
		t.Fatalf("%d subscriptions: the shutdown subscribed again", n)
	}
}

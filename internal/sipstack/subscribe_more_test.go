package sipstack

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// acceptAll answers every SUBSCRIBE 200 for 600 s in the notifier's dialog.
func acceptAll(n *notifier, req *sip.Request) *sip.Response { return n.ok(req, 600) }

// TestNotifyTerminatedResubscribes: a NOTIFY ending the subscription with reason
// timeout brings a SUBSCRIBE in a new dialog at once; one with noresource ends it for
// good, with a terminated state and no more SUBSCRIBEs.
func TestNotifyTerminatedResubscribes(t *testing.T) {
	st, rec, n, _, _ := subscribed(t, acceptAll)
	first := n.expectSubscribe()
	_ = subEvent[SubState](t, rec)
	if res := n.notify(first, st.UDPAddr(), "message-summary", "terminated;reason=timeout", "", ""); res.StatusCode != 200 {
		t.Fatalf("terminating NOTIFY answered %d", res.StatusCode)
	}
	if ev := subEvent[Notified](t, rec); ev.State != "terminated" {
		t.Fatalf("notified %+v", ev)
	}
	if ev := subEvent[SubState](t, rec); ev.State != SubRetrying || ev.Retry != 0 || ev.Reason != "timeout" {
		t.Fatalf("after timeout: %+v", ev)
	}
	again := n.expectSubscribe()
	if again.CallID().Value() == first.CallID().Value() {
		t.Fatal("the new SUBSCRIBE reuses the ended dialog")
	}
	_ = subEvent[SubState](t, rec)
	_ = n.notify(again, st.UDPAddr(), "message-summary", "terminated;reason=noresource", "", "")
	_ = subEvent[Notified](t, rec)
	if ev := subEvent[SubState](t, rec); ev.State != SubTerminated || ev.Reason != "noresource" {
		t.Fatalf("after noresource: %+v", ev)
	}
	n.noSubscribe(300 * time.Millisecond)
}

// TestSubscriptionStopUnsubscribes: Stop sends SUBSCRIBE with Expires: 0 in the
// dialog and returns with its answer; a NOTIFY after it is answered but not reported.
func TestSubscriptionStopUnsubscribes(t *testing.T) {
	st, rec, n, _, sub := subscribed(t, acceptAll)
	first := n.expectSubscribe()
	_ = subEvent[SubState](t, rec)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- sub.Stop(ctx) }()
	bye := n.expectSubscribe()
	if bye.GetHeader("Expires").Value() != "0" || bye.CallID().Value() != first.CallID().Value() {
		t.Fatalf("unsubscribe:\n%s", bye)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if res := n.notify(first, st.UDPAddr(), "message-summary", "terminated", "", ""); res.StatusCode != 481 {
		t.Fatalf("NOTIFY after the end answered %d, want 481", res.StatusCode)
	}
	select {
	case ev := <-rec.ch:
		t.Fatalf("event after Stop: %#v", ev)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestNotifyScreening: a NOTIFY of another event package gets 489, one without a
// Subscription-State 400; neither is reported.
func TestNotifyScreening(t *testing.T) {
	st, rec, n, _, _ := subscribed(t, acceptAll)
	first := n.expectSubscribe()
	_ = subEvent[SubState](t, rec)
	if res := n.notify(first, st.UDPAddr(), "presence", "active", "", ""); res.StatusCode != 489 {
		t.Errorf("NOTIFY of another package answered %d, want 489", res.StatusCode)
	}
	if res := n.notify(first, st.UDPAddr(), "message-summary", "", "", ""); res.StatusCode != 400 {
		t.Errorf("NOTIFY without Subscription-State answered %d, want 400", res.StatusCode)
	}
	select {
	case ev := <-rec.ch:
		t.Fatalf("refused NOTIFY reported: %#v", ev)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestUnsolicitedNotify: a message-summary NOTIFY outside any dialog gets 481 until
// the stack accepts them, then 200 and a Notified event without an ID.
func TestUnsolicitedNotify(t *testing.T) {
	st, rec := newTestStack(t, newFakeClock(), nil)
	n := newNotifier(t, acceptAll)
	// A SUBSCRIBE the notifier never received: the NOTIFY carries no dialog of ours.
	fake := sip.NewRequest(sip.SUBSCRIBE, sip.Uri{Scheme: "sip", User: "alice", Host: "127.0.0.1"})
	fake.AppendHeader(&sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "127.0.0.1"}, Params: sip.NewParams()})
	fake.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "vm", Host: "127.0.0.1"}, Params: sip.NewParams()})
	callID := sip.CallIDHeader(newCallID())
	fake.AppendHeader(&callID)
	fake.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "127.0.0.1", Port: mustUDP(t, st.UDPAddr()).Port}})
	if res := n.notify(fake, st.UDPAddr(), "message-summary", "active", "application/simple-message-summary", mwiBody); res.StatusCode != 481 {
		t.Fatalf("unsolicited NOTIFY answered %d before it is accepted, want 481", res.StatusCode)
	}
	st.AcceptUnsolicited("message-summary", true)
	if res := n.notify(fake, st.UDPAddr(), "message-summary", "active", "application/simple-message-summary", mwiBody); res.StatusCode != 200 {
		t.Fatalf("accepted unsolicited NOTIFY answered %d", res.StatusCode)
	}
	got := subEvent[Notified](t, rec)
	if got.ID != "" || string(got.Body) != mwiBody || got.ContentType != "application/simple-message-summary" {
		t.Fatalf("notified %+v", got)
	}
}

func TestNextSubStep(t *testing.T) {
	for _, tc := range []struct {
		name string
		out  subOutcome
		want subStep
	}{
		{"granted", subOutcome{Code: 200, Granted: 600}, subStep{Active: true, Wait: 600*time.Second - subRefreshMargin}},
		{"short grant", subOutcome{Code: 200, Granted: 40}, subStep{Active: true, Wait: 20 * time.Second}},
		{"forgotten", subOutcome{Code: 481, InDialog: true}, subStep{NewDialog: true, Wait: subBackoffFirst, Failures: 1}},
		{"timeout", subOutcome{Code: 408}, subStep{NewDialog: true, Wait: subBackoffFirst, Failures: 1}},
		{"retry-after", subOutcome{Code: 503, RetryAfter: 90 * time.Second}, subStep{NewDialog: true, Wait: 90 * time.Second, Failures: 1}},
		{"bad event", subOutcome{Code: 489}, subStep{GiveUp: true, NewDialog: true, Failures: 1}},
		{"no SUBSCRIBE here", subOutcome{Code: 405}, subStep{GiveUp: true, NewDialog: true, Failures: 1}},
		{"deactivated", subOutcome{Terminated: "deactivated"}, subStep{NewDialog: true}},
		{"rejected", subOutcome{Terminated: "rejected"}, subStep{GiveUp: true, NewDialog: true, Failures: 1}},
		{"giveup", subOutcome{Terminated: "giveup", RetryAfter: 30 * time.Second}, subStep{NewDialog: true, Wait: 30 * time.Second, Failures: 1}},
	} {
		if got := nextSubStep(tc.out, 0, 0); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	// The backoff doubles to its bound, and jitter takes up to half of it.
	if got := backoffWait(3, 0); got != 4*subBackoffFirst {
		t.Errorf("third backoff %v", got)
	}
	if got := backoffWait(40, 0.999); got < subBackoffMax/2 || got > subBackoffMax {
		t.Errorf("bounded backoff %v", got)
	}
}

func TestSubscriptionState(t *testing.T) {
	state, reason, exp, retry := subscriptionState(`Terminated ; reason=Probation;retry-after=20`)
	if state != "terminated" || reason != "probation" || exp != 0 || retry != 20*time.Second {
		t.Fatalf("got %q %q %d %v", state, reason, exp, retry)
	}
	if state, _, exp, _ := subscriptionState("active;expires=3600"); state != "active" || exp != 3600 {
		t.Fatalf("got %q %d", state, exp)
	}
}

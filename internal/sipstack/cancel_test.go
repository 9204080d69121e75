package sipstack

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Hanging up an outgoing call before any provisional response: the CANCEL waits for
// the first 1xx (RFC 3261 section 9.1), then goes, and the 487 ends the call. SIPp
// plays a phone that rings after a second and fails on a CANCEL before its 180.
func TestOutgoingCancelWaitsForProvisional(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, testpeer.ScenarioUASCancelAfterRing), Dir: t.TempDir(),
	})
	st, rec := newTestStack(t, nil, nil)
	target := fmt.Sprintf("sip:bob@127.0.0.1:%d", sipp.LocalPort)
	c, err := st.Dial(DialOptions{Target: target, SDP: testSDP(40000)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	expectCall(t, rec, c, Provisional, 180)
	for { // SIPp sends its 180 again for each retransmission of our INVITE
		if ev := rec.call(); ev.Kind != Provisional {
			if ev.CallID != c.CallID() || ev.Kind != Ended || ev.Code != 487 {
				t.Fatalf("event %+v, want ended 487", ev)
			}
			break
		}
	}
	if code, log := sipp.Wait(t, waitFor); code != 0 {
		t.Fatalf("sipp exit %d:\n%s\n%s", code, log, sipp.Messages())
	}
}

// A caller that cancels before we rang: 200 to the CANCEL, 487 to the INVITE, and
// RemoteCancel for the call.
func TestIncomingCancelBeforeRinging(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	sess, err := p.dial(context.Background(), st, testSDP(50000))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	done := make(chan error, 1)
	go func() { done <- sess.WaitAnswer(ctx, sipgo.AnswerOptions{}) }()
	cancel() // the peer's WaitAnswer sends CANCEL once it has the 100 Trying
	expectCall(t, rec, in.Call, RemoteCancel, 487)
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("the caller's CANCEL got no answer")
	}
	if res := sess.InviteResponse; res == nil || res.StatusCode != 487 {
		t.Fatalf("INVITE's final response %v, want 487", res)
	}
}

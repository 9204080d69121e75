package sipstack

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// A peer answering our hold re-INVITE 491 gets it again after the delay of RFC 3261
// section 14.1, 2.1 to 4 s on a call we placed (the clock is the test's, so nothing
// waits), and the second is accepted.
func TestHoldRetriedAfter491(t *testing.T) {
	p := newPeer(t)
	codes := make(chan int, 2)
	p.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), codes) })
	clock := newFakeClock()
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", OnEvent: rec.on, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectCall(t, rec, c, Answered, 200)
	p.expect(sip.ACK)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	codes <- 491
	codes <- 200
	type result struct {
		answer []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		answer, err := c.Hold(ctx, true)
		done <- result{answer, err}
	}()
	first := p.expect(sip.INVITE)
	wait := clock.next(t)
	if wait.d < 2100*time.Millisecond || wait.d > 4*time.Second {
		t.Errorf("retry after %v, want 2.1 to 4 s (we own the Call-ID)", wait.d)
	}
	select {
	case r := <-done:
		t.Fatalf("Hold returned before the delay: %v", r.err)
	default:
	}
	wait.fire <- time.Now()
	second := p.expect(sip.INVITE)
	r := <-done
	if r.err != nil || len(r.answer) == 0 {
		t.Fatalf("Hold after a 491: answer %q, err %v", r.answer, r.err)
	}
	if second.CSeq().SeqNo <= first.CSeq().SeqNo || direction(t, second.Body()) != DirSendOnly {
		t.Errorf("retry CSeq %d after %d, direction %s", second.CSeq().SeqNo, first.CSeq().SeqNo, direction(t, second.Body()))
	}
	p.expect(sip.ACK)
}

// The delays of RFC 3261 section 14.1: the Call-ID's owner waits 2.1 to 4 s, the
// other side 0 to 2 s, in steps of 10 ms.
func TestGlareDelay(t *testing.T) {
	for range 200 {
		if d := glareDelay(true); d < 2100*time.Millisecond || d > 4*time.Second || d%(10*time.Millisecond) != 0 {
			t.Fatalf("owner's delay %v", d)
		}
		if d := glareDelay(false); d < 0 || d > 2*time.Second || d%(10*time.Millisecond) != 0 {
			t.Fatalf("other side's delay %v", d)
		}
	}
}

// A re-INVITE from the peer that arrives while ours is pending gets 491 Request
// Pending (RFC 3261 section 14.2), and ours goes through.
func TestPeerReInviteCrossingOursGets491(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)

	crossed := make(chan int, 1)
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			// Ours crosses the stack's, still unanswered.
			crossed <- peerReInvite(t, ctx, sess, peerSDPDir(DirSendOnly, Codec{0, "PCMU", 8000}), nil).StatusCode
			_ = tx.Respond(sip.NewSDPResponseFromRequest(req, answerSDP(req.Body(), 50000)))
		}
	})
	if _, err := c.Hold(ctx, true); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if code := <-crossed; code != 491 {
		t.Errorf("the crossing re-INVITE got %d, want 491", code)
	}
}

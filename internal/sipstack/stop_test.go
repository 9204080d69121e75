package sipstack

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"go.uber.org/goleak"
)

// Closing the stack is safe in every state a call can be in: no panic (sipgo's own
// CANCEL could read a nil response when its transaction ended under it), every
// goroutine of the stack gone, and the call's Hangup after the close returns.
func TestCloseInEveryCallState(t *testing.T) {
	silent := func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
		<-tx.Done() // never answers; its transaction ends with the peer
	}
	states := []struct {
		name  string
		setup func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call
	}{
		{"dialling before any 1xx", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			p.set(func(p *peer) { p.onInvite = silent })
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			p.expect(sip.INVITE)
			return c
		}},
		{"early media", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			p.set(func(p *peer) { p.onInvite = answerWith(testSDP(50000), false, make(chan struct{})) })
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			expectCall(t, rec, c, Provisional, 183)
			return c
		}},
		{"ringing out", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			step := make(chan struct{})
			p.set(func(p *peer) { p.onInvite = answerWith(testSDP(50000), false, step) })
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			expectCall(t, rec, c, Provisional, 183)
			step <- struct{}{}
			expectCall(t, rec, c, Provisional, 180)
			return c
		}},
		{"cancelling", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			p.set(func(p *peer) { p.onInvite = silent })
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			p.expect(sip.INVITE)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the hangup leaves the CANCEL pending and returns
			_ = c.Hangup(ctx)
			return c
		}},
		{"ringing in", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			if _, err := p.dial(context.Background(), st, testSDP(50000)); err != nil {
				t.Fatal(err)
			}
			c := rec.incoming().Call
			if err := c.Ring(); err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"ringing in reliably, no PRACK yet", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			if _, err := p.dialWith(context.Background(), st, testSDP(50000), sip.NewHeader("Require", "100rel")); err != nil {
				t.Fatal(err)
			}
			c := rec.incoming().Call
			if err := c.Ring(); err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"connected", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			acks := peerAcks(p)
			p.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), nil) })
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			expectCall(t, rec, c, Answered, 200)
			awaitAck(t, acks)
			return c
		}},
		{"on hold", func(t *testing.T, p *peer, st *Stack, rec *recorder) *Call {
			codes := make(chan int, 1)
			codes <- 200
			acks := peerAcks(p)
			p.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), codes) })
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			expectCall(t, rec, c, Answered, 200)
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			if _, err := c.Hold(ctx, true); err != nil {
				t.Fatal(err)
			}
			awaitAck(t, acks) // the INVITE's
			awaitAck(t, acks) // the re-INVITE's
			return c
		}},
	}
	for _, s := range states {
		t.Run(s.name, func(t *testing.T) {
			t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
			p := newPeer(t)
			st, rec := newTestStack(t, nil, nil)
			c := s.setup(t, p, st, rec)
			if err := st.Close(); err != nil {
				t.Logf("Close: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			_ = c.Hangup(ctx) // must return, whatever it reports
		})
	}
}

// peerAcks returns the ACKs p has handled. A test that ends while the peer still
// handles our last ACK would close the peer under it: sipgo's server, finding its
// listening socket gone from the pool, opens a socket of its own for the ACK's
// transaction, whose reader nothing stops.
func peerAcks(p *peer) <-chan *sip.Request {
	acks := make(chan *sip.Request, 4)
	p.set(func(p *peer) { p.onAck = func(req *sip.Request) { acks <- req } })
	return acks
}

// awaitAck waits for the peer to have handled one more ACK.
func awaitAck(t *testing.T, acks <-chan *sip.Request) {
	t.Helper()
	select {
	case <-acks:
	case <-time.After(waitFor):
		t.Fatalf("the peer handled no ACK within %v", waitFor)
	}
}

// Nothing leaves the stack once it has closed: a hangup of a connected call after
// Close reports ErrClosed and sends no BYE. sipgo's transport would open a socket
// of its own for it, whose reader goroutine nothing stops.
func TestNoRequestLeavesAfterClose(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	p.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), nil) })
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	expectCall(t, rec, c, Answered, 200)
	p.expect(sip.INVITE)
	if err := st.Close(); err != nil {
		t.Logf("Close: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Hangup after Close: %v, want ErrClosed", err)
	}
	for len(p.reqs) > 0 {
		if r := <-p.reqs; r.Method == sip.BYE {
			t.Fatalf("a BYE left after Close:\n%s", r)
		}
	}
}

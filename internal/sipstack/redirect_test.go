package sipstack

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// newRedirectingStack is newTestStack with redirects followed or not.
func newRedirectingStack(t *testing.T, follow bool) (*Stack, *recorder) {
	t.Helper()
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", FollowRedirects: follow, OnEvent: rec.on,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, rec
}

// redirectTo makes p answer every INVITE 302 with a Contact to user at hostPort.
func redirectTo(p *peer, user, hostPort string) {
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			res := sip.NewResponseFromRequest(req, 302, "Moved Temporarily", nil)
			res.AppendHeader(sip.NewHeader("Contact", fmt.Sprintf("<sip:%s@%s>", user, hostPort)))
			_ = tx.Respond(res)
		}
	})
}

// A 302 sends the INVITE to its Contact: the same Call-ID, From and To, the next
// CSeq, a new branch; the call is answered there.
func TestOutgoingFollowsRedirect(t *testing.T) {
	first, second := newPeer(t), newPeer(t)
	redirectTo(first, "carol", second.hostPort())
	codes := make(chan int)
	second.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), codes) })
	st, rec := newRedirectingStack(t, true)
	c := dialPeer(t, st, first, Account{Server: first.hostPort(), Username: "alice"})

	inv := first.expect(sip.INVITE)
	if ev := expectCall(t, rec, c, Redirected, 302); ev.Reason != "sip:carol@"+second.hostPort() {
		t.Errorf("redirected to %q", ev.Reason)
	}
	moved := second.expect(sip.INVITE)
	expectCall(t, rec, c, Answered, 200)
	if moved.Recipient.User != "carol" || moved.CallID().Value() != c.CallID() ||
		moved.From().Value() != inv.From().Value() || moved.To().Value() != inv.To().Value() {
		t.Errorf("redirected INVITE is not the call's:\nfirst:\n%s\nthen:\n%s", inv, moved)
	}
	if moved.CSeq().SeqNo != inv.CSeq().SeqNo+1 {
		t.Errorf("CSeq %d after %d", moved.CSeq().SeqNo, inv.CSeq().SeqNo)
	}
	b1, _ := inv.Via().Params.Get("branch")
	if b2, _ := moved.Via().Params.Get("branch"); b2 == b1 {
		t.Errorf("the redirected INVITE reuses the branch %s", b1)
	}
	second.expect(sip.ACK)
}

// A 302 pointing at a target already tried ends the call as a redirect loop, after
// one redirect: the first target's 302 names the second, whose 302 names itself.
func TestOutgoingRedirectLoopEndsTheCall(t *testing.T) {
	first, second := newPeer(t), newPeer(t)
	redirectTo(first, "carol", second.hostPort())
	redirectTo(second, "carol", second.hostPort())
	st, rec := newRedirectingStack(t, true)
	c := dialPeer(t, st, first, Account{Server: first.hostPort(), Username: "alice"})
	expectCall(t, rec, c, Redirected, 302)
	if ev := expectCall(t, rec, c, Failed, 302); ev.Reason != reasonRedirectLoop {
		t.Fatalf("reason %q, want %q", ev.Reason, reasonRedirectLoop)
	}
	first.expect(sip.INVITE)
	second.expect(sip.INVITE)
	select {
	case req := <-second.reqs:
		if req.IsInvite() {
			t.Fatalf("a target was tried twice:\n%s", req)
		}
	default:
	}
}

// A chain of new targets ends after maxRedirects.
func TestOutgoingRedirectLimit(t *testing.T) {
	p := newPeer(t)
	var n atomic.Int32
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			res := sip.NewResponseFromRequest(req, 302, "Moved Temporarily", nil)
			res.AppendHeader(sip.NewHeader("Contact", fmt.Sprintf("<sip:hop%d@%s>", n.Add(1), p.hostPort())))
			_ = tx.Respond(res)
		}
	})
	st, rec := newRedirectingStack(t, true)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	for range maxRedirects {
		expectCall(t, rec, c, Redirected, 302)
	}
	if ev := expectCall(t, rec, c, Failed, 302); ev.Reason != reasonTooManyRedirects {
		t.Fatalf("reason %q, want %q", ev.Reason, reasonTooManyRedirects)
	}
	invites := 0
	for len(p.reqs) > 0 {
		if (<-p.reqs).IsInvite() {
			invites++
		}
	}
	if invites != 1+maxRedirects {
		t.Errorf("%d INVITEs, want %d", invites, 1+maxRedirects)
	}
}

// Without FollowRedirects a 302 fails the call with its code.
func TestOutgoingRedirectNotFollowed(t *testing.T) {
	first, second := newPeer(t), newPeer(t)
	redirectTo(first, "carol", second.hostPort())
	st, rec := newRedirectingStack(t, false)
	c := dialPeer(t, st, first, Account{Server: first.hostPort(), Username: "alice"})
	if ev := expectCall(t, rec, c, Failed, 302); ev.Reason != "Moved Temporarily" {
		t.Fatalf("reason %q", ev.Reason)
	}
	if len(second.reqs) != 0 {
		t.Fatal("the redirect was followed")
	}
}

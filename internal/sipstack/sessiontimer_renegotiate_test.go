package sipstack

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// With the session timer off our INVITE asks for none (no Session-Expires), but
// still says Supported: timer and Min-SE; a 2xx that sets one anyway is honoured:
// we refresh at half its interval (RFC 4028 sections 7.1, 7.2).
func TestSessionTimerOffStillHonoursThePeers(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) {
		p.onInvite = timerAnswerer(testSDP(50000), sip.NewHeader("Session-Expires", "120;refresher=uac"),
			sip.NewHeader("Require", "timer"), sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, UPDATE"))
	})
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	st.cfg.SessionTimerOff = true
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	inv := p.expect(sip.INVITE)
	checkHeaders(t, "INVITE", inv, map[string]string{"Supported": "100rel, timer, replaces", "Session-Expires": "", "Min-SE": "90"})
	expectCall(t, rec, c, Answered, 200)
	nextWait(t, clock, 60*time.Second).fire <- time.Now()
	refresh := p.expect(sip.UPDATE)
	checkHeaders(t, "refresh", refresh, map[string]string{"Session-Expires": "120;refresher=uac"})
}

// A 422 to our refresh names a larger Min-SE: the refresh goes again at once, in a
// new transaction, with that interval and Min-SE (RFC 4028 section 7.4), and the
// timer then runs on it.
func TestRefreshAnswered422IsRetriedWithTheLargerInterval(t *testing.T) {
	p := newPeer(t)
	refused := false
	p.set(func(p *peer) {
		p.onInvite = timerAnswerer(testSDP(50000), sip.NewHeader("Session-Expires", "120;refresher=uac"),
			sip.NewHeader("Require", "timer"), sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, UPDATE"))
		p.onUpdate = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			if !refused {
				refused = true
				res := sip.NewResponseFromRequest(req, 422, "Session Interval Too Small", nil)
				res.AppendHeader(sip.NewHeader("Min-SE", "300"))
				_ = tx.Respond(res)
				return
			}
			res := sip.NewResponseFromRequest(req, 200, "OK", nil)
			echoSessionExpires(req, res)
			_ = tx.Respond(res)
		}
	})
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectCall(t, rec, c, Answered, 200)
	nextWait(t, clock, 60*time.Second).fire <- time.Now()
	first, again := p.expect(sip.UPDATE), p.expect(sip.UPDATE)
	checkHeaders(t, "first refresh", first, map[string]string{"Session-Expires": "120;refresher=uac", "Min-SE": ""})
	checkHeaders(t, "refresh after 422", again, map[string]string{"Session-Expires": "300;refresher=uac", "Min-SE": "300"})
	if again.CSeq().SeqNo <= first.CSeq().SeqNo {
		t.Errorf("the refresh after 422 has CSeq %d, after %d", again.CSeq().SeqNo, first.CSeq().SeqNo)
	}
	nextWait(t, clock, 150*time.Second)
	noEvent(t, rec)
}

// reInviteFromPeer sends a re-INVITE offering testSDP(50000) on sess with
// headers, ACKs its 200 and returns it.
func reInviteFromPeer(ctx context.Context, t *testing.T, sess *sipgo.DialogClientSession, headers ...sip.Header) *sip.Response {
	t.Helper()
	req := sip.NewRequest(sip.INVITE, *sess.InviteResponse.Contact().Address.Clone())
	for _, h := range headers {
		req.AppendHeader(h)
	}
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(testSDP(50000))
	res, err := sess.Do(ctx, req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("re-INVITE: %v %v", res, err)
	}
	if err := sess.WriteRequest(sip.NewRequest(sip.ACK, *sess.InviteResponse.Contact().Address.Clone())); err != nil {
		t.Fatal(err)
	}
	return res
}

// Each refresh negotiates the timer anew (RFC 4028 section 9): a re-INVITE that
// first asks for a timer in a call without one starts it, and one without
// Session-Expires from the peer, the refresher, turns it off, so the call does not
// expire.
func TestPeerReInviteStartsAndStopsTheSessionTimer(t *testing.T) {
	p := newPeer(t)
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)
	checkHeaders(t, "200", sess.InviteResponse, map[string]string{"Session-Expires": ""})

	res := reInviteFromPeer(ctx, t, sess, sip.NewHeader("Session-Expires", "120;refresher=uac"), sip.NewHeader("Supported", "timer"))
	checkHeaders(t, "the 200 that starts the timer", res, map[string]string{"Session-Expires": "120;refresher=uac", "Require": "timer"})
	expectCall(t, rec, c, Updated, 0)
	stale := nextWait(t, clock, 88*time.Second)

	res = reInviteFromPeer(ctx, t, sess)
	checkHeaders(t, "the 200 that stops the timer", res, map[string]string{"Session-Expires": "", "Require": ""})
	expectCall(t, rec, c, Updated, 0)
	stale.fire <- time.Now()
	select {
	case ft := <-clock.timers:
		t.Fatalf("a session timer still runs: it waits %v", ft.d)
	case ev := <-rec.ch:
		t.Fatalf("unexpected event %#v", ev)
	case <-time.After(200 * time.Millisecond):
	}
}

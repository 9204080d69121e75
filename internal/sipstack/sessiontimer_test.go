package sipstack

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// timerAnswerer answers the first INVITE 200 with sdp and headers, and a re-INVITE
// 200 with an answer to its offer and its Session-Expires echoed.
func timerAnswerer(sdp []byte, headers ...sip.Header) func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
	return func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
		if req.To().Params.Has("tag") {
			res := sip.NewSDPResponseFromRequest(req, answerSDP(req.Body(), 50000))
			echoSessionExpires(req, res)
			_ = tx.Respond(res)
			return
		}
		d, err := p.uasDialogs.ReadInvite(req, tx)
		if err != nil {
			p.t.Errorf("peer ReadInvite: %v", err)
			return
		}
		res := sip.NewSDPResponseFromRequest(d.InviteRequest, sdp)
		for _, h := range headers {
			res.AppendHeader(sip.HeaderClone(h))
		}
		_ = d.WriteResponse(res)
	}
}

// echoSessionExpires puts req's Session-Expires in res, as a peer that takes the
// refresher's terms does.
func echoSessionExpires(req *sip.Request, res *sip.Response) {
	if h := req.GetHeader("Session-Expires"); h != nil {
		res.AppendHeader(sip.NewHeader("Session-Expires", h.Value()))
	}
}

// dialWith makes the peer call the stack with extra headers on its INVITE.
func (p *peer) dialWith(ctx context.Context, st *Stack, sdp []byte, headers ...sip.Header) (*sipgo.DialogClientSession, error) {
	dua := sipgo.DialogUA{Client: p.cli, ContactHDR: p.contact()}
	host, port, _ := splitHostPort(st.UDPAddr())
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "peer", Host: p.ip}, Params: sip.NewParams()}
	from.Params.Add("tag", newTag())
	hs := append([]sip.Header{from, sip.NewHeader("Content-Type", "application/sdp")}, headers...)
	sess, err := dua.Invite(ctx, sip.Uri{Scheme: "sip", User: "alice", Host: host, Port: port}, sdp, hs...)
	if err == nil {
		p.set(func(p *peer) { p.uac = sess })
	}
	return sess, err
}

// checkHeaders fails for each header of m whose value is not the one wanted ("" for
// a header that must be absent).
func checkHeaders(t *testing.T, what string, m headerSource, want map[string]string) {
	t.Helper()
	for name, v := range want {
		h := m.GetHeader(name)
		switch {
		case v == "" && h != nil:
			t.Errorf("%s: %s: %s, want none", what, name, h.Value())
		case v != "" && (h == nil || h.Value() != v):
			t.Errorf("%s: %s: %v, want %q", what, name, h, v)
		}
	}
}

// nextWait returns the session timer's next wait, which must last d.
func nextWait(t *testing.T, clock *fakeClock, d time.Duration) fakeTimer {
	t.Helper()
	ft := clock.next(t)
	if ft.d != d {
		t.Fatalf("session timer waits %v, want %v", ft.d, d)
	}
	return ft
}

// noEvent fails if the stack reported anything.
func noEvent(t *testing.T, rec *recorder) {
	t.Helper()
	select {
	case ev := <-rec.ch:
		t.Fatalf("unexpected event %#v", ev)
	default:
	}
}

// Our INVITE asks for a session timer (Supported: timer, Session-Expires 1800,
// Min-SE 90); a 2xx that makes us the refresher gets a refresh every half interval:
// an UPDATE without SDP when the peer allows UPDATE, else a re-INVITE offering our
// SDP again unchanged, version included (RFC 4028 section 10, RFC 3264 section 8).
func TestOutgoingSessionRefreshedAtHalfTheInterval(t *testing.T) {
	for _, byUpdate := range []bool{true, false} {
		method, allow := sip.INVITE, "INVITE, ACK, CANCEL, BYE"
		if byUpdate {
			method, allow = sip.UPDATE, allow+", UPDATE"
		}
		t.Run(method.String(), func(t *testing.T) {
			p := newPeer(t)
			p.set(func(p *peer) {
				p.onInvite = timerAnswerer(testSDP(50000), sip.NewHeader("Session-Expires", "120;refresher=uac"),
					sip.NewHeader("Require", "timer"), sip.NewHeader("Allow", allow))
			})
			clock := newFakeClock()
			st, rec := newTestStack(t, clock, nil)
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			inv := p.expect(sip.INVITE)
			checkHeaders(t, "INVITE", inv, map[string]string{"Supported": "100rel, timer, replaces", "Session-Expires": "1800", "Min-SE": "90"})
			expectCall(t, rec, c, Answered, 200)
			for range 2 {
				nextWait(t, clock, 60*time.Second).fire <- time.Now()
				refresh := p.expect(method)
				checkHeaders(t, "refresh", refresh, map[string]string{"Session-Expires": "120;refresher=uac", "Supported": "timer"})
				if byUpdate && len(refresh.Body()) != 0 {
					t.Errorf("the UPDATE carries SDP:\n%s", refresh.Body())
				}
				if !byUpdate && !bytes.Equal(refresh.Body(), inv.Body()) {
					t.Errorf("the refresh re-INVITE offers\n%s\nnot our SDP unchanged:\n%s", refresh.Body(), inv.Body())
				}
			}
			nextWait(t, clock, 60*time.Second)
			noEvent(t, rec)
		})
	}
}

// A 422 naming a Min-SE above our interval makes us send the INVITE again asking
// for it (RFC 4028 section 7.4); when the peer then refreshes and stops, the call
// reports SessionExpired at the interval less 32 s, and its hangup is a BYE.
func TestOutgoingIntervalTooSmallThenExpired(t *testing.T) {
	p := newPeer(t)
	answer := timerAnswerer(testSDP(50000), sip.NewHeader("Session-Expires", "3600;refresher=uas"), sip.NewHeader("Require", "timer"))
	first := true
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			if first {
				first = false
				res := sip.NewResponseFromRequest(req, 422, "Session Interval Too Small", nil)
				res.AppendHeader(sip.NewHeader("Min-SE", "3600"))
				_ = tx.Respond(res)
				return
			}
			answer(p, req, tx)
		}
	})
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	inv1, inv2 := p.expect(sip.INVITE), p.expect(sip.INVITE)
	checkHeaders(t, "INVITE after 422", inv2, map[string]string{"Session-Expires": "3600", "Min-SE": "3600"})
	if inv2.CallID().Value() != inv1.CallID().Value() || inv2.CSeq().SeqNo != inv1.CSeq().SeqNo+1 {
		t.Errorf("retry Call-ID %s CSeq %d, after %s %d", inv2.CallID().Value(), inv2.CSeq().SeqNo, inv1.CallID().Value(), inv1.CSeq().SeqNo)
	}
	expectCall(t, rec, c, Answered, 200)
	nextWait(t, clock, 3568*time.Second).fire <- time.Now()
	expectCall(t, rec, c, SessionExpired, 0)
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.expect(sip.BYE)
	expectCall(t, rec, c, Ended, 0)
}

// An INVITE with Session-Expires and Supported: timer gets a 2xx with the
// caller's interval and choice of refresher and Require: timer (RFC 4028 section
// 9); each refresh of the caller's, UPDATE or re-INVITE, is answered with the terms
// and starts the wait again; when they stop, the call reports SessionExpired.
func TestIncomingSessionRefreshedByThePeerThenExpired(t *testing.T) {
	p := newPeer(t)
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dialWith(ctx, st, testSDP(50000), sip.NewHeader("Session-Expires", "120;refresher=uac"),
		sip.NewHeader("Supported", "timer"))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Answer(testSDP(40000)); err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, "200", sess.InviteResponse, map[string]string{"Session-Expires": "120;refresher=uac", "Require": "timer"})
	if !allowsUpdate(sess.InviteResponse) {
		t.Errorf("the 200's Allow does not list UPDATE: %v", sess.InviteResponse.GetHeader("Allow"))
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	stale := nextWait(t, clock, 88*time.Second)

	for _, method := range []sip.RequestMethod{sip.UPDATE, sip.INVITE} {
		req := sip.NewRequest(method, *sess.InviteResponse.Contact().Address.Clone())
		req.AppendHeader(sip.NewHeader("Session-Expires", "120;refresher=uac"))
		if method == sip.INVITE {
			req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			req.SetBody(testSDP(50000))
		}
		res, err := sess.Do(ctx, req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("refresh %s: %v %v", method, res, err)
		}
		checkHeaders(t, method.String()+"'s 200", res, map[string]string{"Session-Expires": "120;refresher=uac", "Require": "timer"})
		if method == sip.INVITE {
			ack := sip.NewRequest(sip.ACK, *sess.InviteResponse.Contact().Address.Clone())
			if err := sess.WriteRequest(ack); err != nil {
				t.Fatal(err)
			}
			expectCall(t, rec, in.Call, Updated, 0)
		}
		stale.fire <- time.Now() // the wait that the refresh replaced: nothing happens
		stale = nextWait(t, clock, 88*time.Second)
	}
	noEvent(t, rec)
	stale.fire <- time.Now()
	expectCall(t, rec, in.Call, SessionExpired, 0)
}

// A caller whose INVITE has Session-Expires but does not support timers (a proxy
// asked for one) cannot refresh: our 2xx names us the refresher, without Require,
// and we refresh; with no UPDATE in its Allow, by re-INVITE.
func TestIncomingCallerWithoutTimersIsRefreshedByUs(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) { p.onInvite = timerAnswerer(nil) })
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dialWith(ctx, st, testSDP(50000), sip.NewHeader("Session-Expires", "120"))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Answer(testSDP(40000)); err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, "200", sess.InviteResponse, map[string]string{"Session-Expires": "120;refresher=uas", "Require": ""})
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	nextWait(t, clock, 60*time.Second).fire <- time.Now()
	refresh := p.expect(sip.INVITE)
	if !bytes.Equal(refresh.Body(), testSDP(40000)) {
		t.Errorf("the refresh offers\n%s\nnot our answer unchanged", refresh.Body())
	}
	checkHeaders(t, "refresh", refresh, map[string]string{"Session-Expires": "120;refresher=uac"})
	nextWait(t, clock, 60*time.Second)
	noEvent(t, rec)
}

// An INVITE whose Session-Expires is below our Min-SE gets 422 with it (RFC 4028
// section 9), and no call is offered.
func TestIncomingIntervalTooSmallGets422(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dialWith(ctx, st, testSDP(50000), sip.NewHeader("Session-Expires", "30"), sip.NewHeader("Supported", "timer"))
	if err != nil {
		t.Fatal(err)
	}
	var refused *sipgo.ErrDialogResponse
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); !errors.As(err, &refused) || refused.Res.StatusCode != 422 {
		t.Fatalf("INVITE answered %v, want 422", err)
	}
	checkHeaders(t, "422", refused.Res, map[string]string{"Min-SE": "90"})
	noEvent(t, rec)
}

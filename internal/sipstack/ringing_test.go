package sipstack

import (
	"context"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// ringThenAnswer answers an INVITE after rings 180s, and sends late 180s after the
// 200, as a ring group and a slow proxy may.
func ringThenAnswer(p *peer, sdp []byte, rings, late int) func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
	return func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
		d, err := p.uasDialogs.ReadInvite(req, tx)
		if err != nil {
			p.t.Errorf("peer ReadInvite: %v", err)
			return
		}
		p.set(func(p *peer) { p.lastUAS = d })
		for range rings {
			_ = d.Respond(180, "Ringing", nil)
		}
		_ = d.WriteResponse(sip.NewSDPResponseFromRequest(d.InviteRequest, sdp))
		for range late {
			ring := sip.NewResponseFromRequest(d.InviteRequest, 180, "Ringing", nil)
			_ = p.srv.WriteResponse(ring)
		}
	}
}

// A ring group sends a 180 for each phone it rings: thirty of them do not end the
// call, which connects on the 200 that follows; 180s arriving after the 200 are
// ignored and the call goes on.
func TestOutgoingManyProvisionalsThenAnswer(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) { p.onInvite = ringThenAnswer(p, testSDP(50000), 30, 3) })
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	rings := 0
	for answered := false; !answered; {
		ev := rec.call()
		switch ev.Kind {
		case Provisional:
			rings++
		case Answered:
			answered = true
		default:
			t.Fatalf("after %d provisional responses: %+v", rings, ev)
		}
	}
	p.expect(sip.ACK)

	// The call is up, and the late 180s changed nothing: the peer's BYE ends it.
	hangupFromPeer(t, p, rec, c)
}

// hangupFromPeer makes the peer end the call with BYE and expects RemoteBye.
func hangupFromPeer(t *testing.T, p *peer, rec *recorder, c *Call) {
	t.Helper()
	d := p.uasLast(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := d.Bye(ctx); err != nil {
		t.Fatalf("peer BYE: %v", err)
	}
	expectCall(t, rec, c, RemoteBye, 0)
}

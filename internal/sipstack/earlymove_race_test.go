package sipstack

import (
	"context"
	"net/netip"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// ringsOnAndOn makes p answer an INVITE with a reliable 183 carrying sdp (from a
// peer that allows UPDATE), then, once ring closes, send unreliable 180s (up to
// maxRings, which the recorder's buffer holds) until step closes, and answer 200
// with sdp after it.
func ringsOnAndOn(p *peer, sdp []byte, ring, step <-chan struct{}) {
	const maxRings = 100
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			d, err := p.uasDialogs.ReadInvite(req, tx)
			if err != nil {
				p.t.Errorf("peer ReadInvite: %v", err)
				return
			}
			p.set(func(p *peer) { p.lastUAS = d })
			allow := sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE")
			_ = d.Respond(183, "Session Progress", sdp, withSDP(append(reliably(1), allow))...)
			select {
			case <-ring:
			case <-d.Context().Done():
				return
			}
			for range maxRings {
				select {
				case <-step:
				case <-d.Context().Done():
					return
				default:
					_ = d.Respond(180, "Ringing", nil)
					continue
				}
				break
			}
			select {
			case <-step:
				_ = d.WriteResponse(sip.NewSDPResponseFromRequest(d.InviteRequest, sdp))
			case <-d.Context().Done():
			}
		}
	})
}

// An early UPDATE is built while provisional responses keep coming: what it needs
// of the reliable 183's dialog is the call's own copy, never the response sipgo's
// session is writing as each 180 arrives (run under -race). The UPDATE goes in the
// 183's dialog, and our BYE after the answer is numbered above it.
func TestEarlyMoveWhileProvisionalsArrive(t *testing.T) {
	p := newPeer(t)
	ring, step := make(chan struct{}), make(chan struct{})
	ringsOnAndOn(p, testSDP(50000), ring, step)
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectRAck(t, p.expect(sip.PRACK), 1)
	expectCall(t, rec, c, Provisional, 183)
	close(ring)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for range 3 {
		if _, err := c.MoveMedia(ctx, "127.0.0.1", netip.MustParseAddrPort("192.0.2.7:41000")); err != nil {
			t.Fatalf("MoveMedia while 180s arrive: %v", err)
		}
	}
	var upd *sip.Request
	for range 3 {
		upd = p.expect(sip.UPDATE)
		if tag, _ := upd.To().Params.Get("tag"); tag == "" {
			t.Fatalf("UPDATE outside the early dialog:\n%s", upd)
		}
	}
	close(step)
	for {
		ev := rec.call()
		if ev.Kind == Provisional && ev.Code == 180 {
			continue
		}
		if ev.Kind != Answered {
			t.Fatalf("event %+v, want Answered", ev)
		}
		break
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	bye := p.expect(sip.BYE)
	if bye.CSeq().SeqNo <= upd.CSeq().SeqNo {
		t.Errorf("BYE CSeq %d, want above the last UPDATE's %d", bye.CSeq().SeqNo, upd.CSeq().SeqNo)
	}
}

package sipstack

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// ringsReliably makes p answer an INVITE with a reliable 183 carrying sdp and the
// extra headers, then wait for step before its 200 with sdp.
func ringsReliably(p *peer, sdp []byte, step <-chan struct{}, headers ...sip.Header) {
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			d, err := p.uasDialogs.ReadInvite(req, tx)
			if err != nil {
				p.t.Errorf("peer ReadInvite: %v", err)
				return
			}
			p.set(func(p *peer) { p.lastUAS = d })
			_ = d.Respond(183, "Session Progress", sdp, withSDP(append(reliably(1), headers...))...)
			select {
			case <-step:
			case <-d.Context().Done():
				return
			}
			_ = d.WriteResponse(sip.NewSDPResponseFromRequest(d.InviteRequest, sdp))
		}
	})
}

// Our media moves while our call rings in an early dialog whose offer/answer a
// reliable 183 completed, from a peer that allows UPDATE: MoveMedia sends an UPDATE
// in that dialog (RFC 3311 section 5.1), on the next CSeq after the PRACK, offering
// the new address with the o= version one higher, and returns the peer's answer.
// The call is then answered and its ACK keeps the INVITE's CSeq.
func TestEarlyMoveSendsUpdateInTheEarlyDialog(t *testing.T) {
	p := newPeer(t)
	step := make(chan struct{})
	ringsReliably(p, testSDP(50000), step, sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE"))
	answer := testSDP(50002)
	p.set(func(p *peer) {
		p.onUpdate = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			_ = tx.Respond(sip.NewSDPResponseFromRequest(req, answer))
		}
	})
	acks := make(chan *sip.Request, 1)
	p.set(func(p *peer) { p.onAck = func(req *sip.Request) { acks <- req } })
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	inv := p.expect(sip.INVITE)
	expectRAck(t, p.expect(sip.PRACK), 1)
	expectCall(t, rec, c, Provisional, 183)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	moved := netip.MustParseAddrPort("192.0.2.7:41000")
	got, err := c.MoveMedia(ctx, "127.0.0.1", moved)
	if err != nil {
		t.Fatalf("MoveMedia in the early dialog: %v", err)
	}
	if !bytes.Equal(got, answer) {
		t.Errorf("MoveMedia returned %q, want the peer's answer", got)
	}
	upd := p.expect(sip.UPDATE)
	if cseq := upd.CSeq(); cseq.SeqNo != 3 || cseq.MethodName != sip.UPDATE {
		t.Errorf("UPDATE CSeq %v, want 3 UPDATE (after INVITE 1 and PRACK 2)", cseq)
	}
	if tag, _ := upd.To().Params.Get("tag"); tag == "" {
		t.Errorf("UPDATE outside the early dialog:\n%s", upd)
	}
	md, err := ParseSDP(upd.Body())
	if err != nil || md.IP != "192.0.2.7" || md.Port != 41000 {
		t.Errorf("UPDATE offers %+v (%v), want 192.0.2.7:41000:\n%s", md, err, upd.Body())
	}
	_, v0, _ := parseOrigin(inv.Body())
	if _, v1, err := parseOrigin(upd.Body()); err != nil || v1 != v0+1 {
		t.Errorf("UPDATE o= version %d (%v), want %d", v1, err, v0+1)
	}

	step <- struct{}{}
	expectCall(t, rec, c, Answered, 200)
	if ack := <-acks; ack.CSeq().SeqNo != 1 {
		t.Errorf("ACK CSeq %v, want the INVITE's 1", ack.CSeq())
	}
	hangupFromPeer(t, p, rec, c)
}

// No UPDATE goes where RFC 3311 allows none: an early dialog from a peer whose
// reliable 183 does not list UPDATE in Allow, or one whose 183 was not reliable
// (its answer not final). MoveMedia refuses with ErrCallState and sends nothing.
func TestEarlyMoveRefusedWithoutAnUpdatableEarlyDialog(t *testing.T) {
	for name, headers := range map[string][]sip.Header{
		"UPDATE not allowed": {sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, PRACK")},
		"unreliable 183":     nil,
	} {
		t.Run(name, func(t *testing.T) {
			p := newPeer(t)
			step := make(chan struct{})
			if headers == nil {
				p.set(func(p *peer) {
					p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
						d, err := p.uasDialogs.ReadInvite(req, tx)
						if err != nil {
							return
						}
						p.set(func(p *peer) { p.lastUAS = d })
						_ = d.Respond(183, "Session Progress", testSDP(50000), withSDP(
							[]sip.Header{sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, UPDATE")})...)
						<-d.Context().Done()
					}
				})
			} else {
				ringsReliably(p, testSDP(50000), step, headers...)
			}
			st, rec := newTestStack(t, nil, nil)
			c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
			p.expect(sip.INVITE)
			if headers != nil {
				expectRAck(t, p.expect(sip.PRACK), 1)
			}
			expectCall(t, rec, c, Provisional, 183)
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			if _, err := c.MoveMedia(ctx, "127.0.0.1", netip.MustParseAddrPort("192.0.2.7:41000")); !errors.Is(err, ErrCallState) {
				t.Fatalf("MoveMedia: %v, want ErrCallState", err)
			}
			// An UPDATE would have been answered, so recorded, before MoveMedia returned.
			for len(p.reqs) > 0 {
				if r := <-p.reqs; r.Method == sip.UPDATE {
					t.Fatalf("an UPDATE was sent:\n%s", r)
				}
			}
			if err := c.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

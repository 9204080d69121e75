package sipstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// reliably are the headers that make a provisional response reliable.
func reliably(rseq int) []sip.Header {
	return []sip.Header{sip.NewHeader("Require", "100rel"), sip.NewHeader("RSeq", strconv.Itoa(rseq))}
}

// withSDP adds the Content-Type of an SDP body to headers.
func withSDP(headers []sip.Header) []sip.Header {
	return append(headers, sip.NewHeader("Content-Type", "application/sdp"))
}

// expectRAck checks that req is a PRACK naming the reliable response rseq to INVITE 1.
func expectRAck(t *testing.T, req *sip.Request, rseq int) {
	t.Helper()
	if h := req.GetHeader("RAck"); h == nil || h.Value() != strconv.Itoa(rseq)+" 1 INVITE" {
		t.Fatalf("PRACK RAck %v, want %d 1 INVITE:\n%s", h, rseq, req)
	}
}

// Our INVITE says Supported: 100rel. A reliable 183 with SDP is PRACKed and its SDP
// reported as early media; its retransmission is neither PRACKed nor reported; the
// next reliable response, a 180 without SDP, is PRACKed in turn. The ACK of the 200
// carries the INVITE's CSeq number, and our BYE a number above the PRACKs'.
func TestOutgoingReliableProvisionalsArePRACKedInOrder(t *testing.T) {
	p := newPeer(t)
	peerSDP := testSDP(50000)
	step := make(chan struct{})
	acks := make(chan *sip.Request, 4)
	p.set(func(p *peer) {
		p.onAck = func(req *sip.Request) { acks <- req }
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			d, err := p.uasDialogs.ReadInvite(req, tx)
			if err != nil {
				p.t.Errorf("peer ReadInvite: %v", err)
				return
			}
			p.set(func(p *peer) { p.lastUAS = d })
			wait := func() bool {
				select {
				case <-step:
					return true
				case <-d.Context().Done():
					return false
				}
			}
			_ = d.Respond(183, "Session Progress", peerSDP, withSDP(reliably(7))...)
			if !wait() {
				return
			}
			_ = d.Respond(183, "Session Progress", peerSDP, withSDP(reliably(7))...) // sent again
			_ = d.Respond(180, "Ringing", nil, reliably(8)...)
			if !wait() {
				return
			}
			_ = d.WriteResponse(sip.NewSDPResponseFromRequest(d.InviteRequest, peerSDP))
		}
	})
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})

	if inv := p.expect(sip.INVITE); !lists(inv, "100rel", "Supported") {
		t.Fatalf("INVITE without Supported: 100rel:\n%s", inv)
	}
	prack := p.expect(sip.PRACK)
	expectRAck(t, prack, 7)
	if cseq := prack.CSeq(); cseq.SeqNo != 2 || cseq.MethodName != sip.PRACK {
		t.Errorf("PRACK CSeq %v, want 2 PRACK", cseq)
	}
	if tag, _ := prack.To().Params.Get("tag"); tag == "" {
		t.Errorf("PRACK outside the early dialog:\n%s", prack)
	}
	if ev := expectCall(t, rec, c, Provisional, 183); !bytes.Equal(ev.SDP, peerSDP) {
		t.Fatalf("early media %q, want the 183's SDP", ev.SDP)
	}

	step <- struct{}{}
	expectRAck(t, p.expect(sip.PRACK), 8)
	expectCall(t, rec, c, Provisional, 180)

	step <- struct{}{}
	expectCall(t, rec, c, Answered, 200)
	select {
	case ack := <-acks:
		if cseq := ack.CSeq(); cseq.SeqNo != 1 || cseq.MethodName != sip.ACK {
			t.Errorf("ACK CSeq %v, want the INVITE's, 1 ACK", cseq)
		}
	case <-time.After(waitFor):
		t.Fatal("no ACK")
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if bye := p.expect(sip.BYE); bye.CSeq().SeqNo <= 3 {
		t.Errorf("BYE CSeq %v, not above the PRACKs'", bye.CSeq())
	}
	expectCall(t, rec, c, Ended, 0)
}

// shortReliableGiveUp makes the stack give up a reliable response after 2*T1.
func shortReliableGiveUp(t *testing.T) {
	saved := reliableGiveUp
	reliableGiveUp = 2 * sip.T1
	t.Cleanup(func() { reliableGiveUp = saved })
}

// peerPrack sends the peer's PRACK with rack in the early dialog of sess.
func peerPrack(ctx context.Context, sess *sipgo.DialogClientSession, rack string) (*sip.Response, error) {
	req := sip.NewRequest(sip.PRACK, *sess.InviteResponse.Contact().Address.Clone())
	req.AppendHeader(sip.NewHeader("RAck", rack))
	return sess.Do(ctx, req)
}

// To a caller that supports 100rel our 180 goes reliably and again after T1 while no
// PRACK comes; a PRACK naming another response gets 481, the right one 200 and ends
// the retransmissions, so the INVITE is not refused when their time is up, and the
// call is answered and confirmed by an ACK with the INVITE's CSeq.
func TestIncomingReliableRingingUntilPRACKed(t *testing.T) {
	shortReliableGiveUp(t)
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dialWith(ctx, st, testSDP(50000), sip.NewHeader("Supported", "100rel"))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Ring(); err != nil {
		t.Fatal(err)
	}
	var rings []*sip.Response
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		if r.StatusCode != 180 {
			return nil
		}
		rings = append(rings, r)
		if len(rings) != 2 {
			return nil
		}
		rseq, cseq := r.GetHeader("RSeq").Value(), r.CSeq().SeqNo
		if res, err := peerPrack(ctx, sess, fmt.Sprintf("%s0 %d INVITE", rseq, cseq)); err != nil || res.StatusCode != 481 {
			t.Errorf("PRACK of no response of ours answered %v %v, want 481", res, err)
		}
		if res, err := peerPrack(ctx, sess, fmt.Sprintf("%s %d INVITE", rseq, cseq)); err != nil || res.StatusCode != 200 {
			t.Errorf("PRACK answered %v %v, want 200", res, err)
		}
		go func() {
			// Past the time the stack would give the 180 up, had the PRACK not come.
			<-time.After(reliableGiveUp)
			if err := in.Call.Answer(testSDP(40000)); err != nil {
				t.Errorf("Answer: %v", err)
			}
		}()
		return nil
	}})
	if err != nil {
		t.Fatalf("peer WaitAnswer: %v (after %d ringing)", err, len(rings))
	}
	for _, r := range rings {
		if !lists(r, "100rel", "Require") || r.GetHeader("RSeq").Value() != rings[0].GetHeader("RSeq").Value() {
			t.Fatalf("180 not the same reliable response:\n%s", r)
		}
	}
	// The ACK keeps the INVITE's CSeq number, below the PRACK's (RFC 3261 section
	// 13.2.2.4); sipgo's own ACK would carry the PRACK's.
	if err := p.cli.WriteRequest(forkRequest(sess.InviteRequest, sess.InviteResponse, sip.ACK)); err != nil {
		t.Fatal(err)
	}
	for in.Call.getState() != stateEstablished {
		select {
		case <-ctx.Done():
			t.Fatal("the stack never took the ACK")
		case <-time.After(time.Millisecond):
		}
	}
	if err := in.Call.Hangup(ctx); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	expectCall(t, rec, in.Call, Ended, 0)
}

// A reliable 180 never PRACKed is sent again until 64*T1 (here shortened) and the
// INVITE is then refused with 500 (RFC 3262 section 3).
func TestIncomingReliableRingingNeverPRACKedIsRefused(t *testing.T) {
	shortReliableGiveUp(t)
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dialWith(ctx, st, testSDP(50000), sip.NewHeader("Require", "100rel"))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Ring(); err != nil {
		t.Fatal(err)
	}
	rings := 0
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		if r.StatusCode == 180 {
			rings++
		}
		return nil
	}})
	var refused *sipgo.ErrDialogResponse
	if !errors.As(err, &refused) || refused.Res.StatusCode != 500 {
		t.Fatalf("INVITE answered %v, want 500", err)
	}
	if rings < 2 {
		t.Errorf("the reliable 180 came %d times, want it sent again", rings)
	}
	expectCall(t, rec, in.Call, Failed, 0)
}

// In the early dialog of a reliable 183 with SDP, an UPDATE from the peer with a new
// offer gets 200 with our answer (RFC 3311 section 5.1) and is reported as new early
// media; the call is then answered.
func TestEarlyUpdateChangesEarlyMedia(t *testing.T) {
	p := newPeer(t)
	peerSDP, newSDP := testSDP(50000), testSDP(50002)
	step := make(chan struct{})
	updated := make(chan *sip.Response, 1)
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			d, err := p.uasDialogs.ReadInvite(req, tx)
			if err != nil {
				p.t.Errorf("peer ReadInvite: %v", err)
				return
			}
			p.set(func(p *peer) { p.lastUAS = d })
			_ = d.Respond(183, "Session Progress", peerSDP, withSDP(reliably(1))...)
			select {
			case <-step:
			case <-d.Context().Done():
				return
			}
			upd := sip.NewRequest(sip.UPDATE, *d.InviteRequest.Contact().Address.Clone())
			upd.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			upd.SetBody(newSDP)
			ctx, cancel := context.WithTimeout(d.Context(), waitFor)
			defer cancel()
			res, err := d.Do(ctx, upd)
			if err != nil {
				p.t.Errorf("peer UPDATE: %v", err)
				return
			}
			updated <- res
			_ = d.WriteResponse(sip.NewSDPResponseFromRequest(d.InviteRequest, newSDP))
		}
	})
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectRAck(t, p.expect(sip.PRACK), 1)
	expectCall(t, rec, c, Provisional, 183)

	step <- struct{}{}
	select {
	case res := <-updated:
		if res.StatusCode != 200 {
			t.Fatalf("early UPDATE answered %d %s", res.StatusCode, res.Reason)
		}
		if md, err := ParseSDP(res.Body()); err != nil || md.Port != 40000 {
			t.Fatalf("early UPDATE answer %q (%v), want our media", res.Body(), err)
		}
	case <-time.After(waitFor):
		t.Fatal("no answer to the early UPDATE")
	}
	if ev := expectCall(t, rec, c, Provisional, 0); ev.Reason != "UPDATE" || !bytes.Equal(ev.SDP, newSDP) {
		t.Fatalf("event %+v, want early media from the UPDATE", ev)
	}
	expectCall(t, rec, c, Answered, 200)
	hangupFromPeer(t, p, rec, c)
}

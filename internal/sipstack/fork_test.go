package sipstack

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// forkingPeer answers an INVITE as a forking proxy would: a 2xx from each of two
// phones (To tags "fork-a" and "fork-b", each with its own Contact), each resent
// like a UAS's 2xx until its own ACK (one with its To tag) comes.
func forkingPeer(t *testing.T, p *peer, sdp []byte) {
	var mu sync.Mutex
	acked := map[string]bool{}
	p.set(func(p *peer) {
		p.onAck = func(req *sip.Request) {
			tag, _ := req.To().Params.Get("tag")
			mu.Lock()
			acked[tag] = true
			mu.Unlock()
		}
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			var answers []*sip.Response
			for _, tag := range []string{"fork-a", "fork-b"} {
				res := sip.NewSDPResponseFromRequest(req, sdp)
				res.To().Params.Add("tag", tag)
				ct := p.contact()
				ct.Address.User = tag
				res.AppendHeader(&ct)
				answers = append(answers, res)
			}
			_ = tx.Respond(answers[0])
			for range 100 { // 5 s of retransmissions at most
				pending := 0
				for _, res := range answers {
					tag, _ := res.To().Params.Get("tag")
					mu.Lock()
					done := acked[tag]
					mu.Unlock()
					if !done {
						pending++
						_ = p.srv.WriteResponse(res)
					}
				}
				if pending == 0 {
					return
				}
				time.Sleep(50 * time.Millisecond) // the UAS's retransmission interval
			}
			t.Errorf("the 2xx of a fork was never ACKed on its dialog")
		}
	})
}

// A forked INVITE answered by two phones: the call keeps the first 2xx's dialog;
// the other is ACKed on its own dialog (so its phone stops resending the 2xx) and
// ended with BYE, and the call's own BYE later goes to the dialog it kept.
func TestOutgoingSecondForkIsAckedAndEnded(t *testing.T) {
	p := newPeer(t)
	forkingPeer(t, p, testSDP(50000))
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectCall(t, rec, c, Answered, 200)

	forkBye := p.expect(sip.BYE)
	gone, _ := forkBye.To().Params.Get("tag")
	if forkBye.Recipient.User != gone {
		t.Errorf("BYE to %s ends the dialog of %s: not sent to that fork's Contact", forkBye.Recipient.String(), gone)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	_ = c.Hangup(ctx) // the peer keeps no dialog and answers 481; only the BYE's dialog matters
	bye := p.expect(sip.BYE)
	kept, _ := bye.To().Params.Get("tag")
	if kept == gone || kept == "" {
		t.Fatalf("the call's BYE went to %q, the ended fork was %q", kept, gone)
	}
}

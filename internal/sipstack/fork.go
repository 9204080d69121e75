package sipstack

import (
	"context"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// forkByeTimeout bounds the BYE that ends a second fork's dialog.
const forkByeTimeout = 32 * time.Second

// watchForks handles the 2xx responses to our INVITE that come after the one that
// answered the call. A forking proxy may deliver a 2xx from each phone it rang
// (RFC 3261 section 13.2.2.4); each with another To tag is another dialog, which the
// call does not want: it is ACKed on its own dialog (each retransmission again, so
// the far side stops resending it) and then ended with BYE. A retransmission of the
// answering 2xx is left to the dialog, which ACKs it again.
func (c *Call) watchForks(tx sip.ClientTransaction, answered *sip.Response) {
	ours, _ := answered.To().Params.Get("tag")
	var mu sync.Mutex          // sipgo may run the hook for two retransmissions at once
	ended := map[string]bool{} // the forks a BYE went to
	tx.OnRetransmission(func(res *sip.Response) {
		tag, _ := res.To().Params.Get("tag")
		if !res.IsSuccess() || tag == ours {
			return
		}
		mu.Lock()
		first := !ended[tag]
		ended[tag] = true
		mu.Unlock()
		c.endFork(res, first)
	})
}

// endFork ACKs the 2xx of another fork and, with bye, ends its dialog.
func (c *Call) endFork(res *sip.Response, bye bool) {
	_, inv := c.tap.invite()
	c.mu.Lock()
	cl := c.uac.UA.Client
	c.mu.Unlock()
	if err := cl.WriteRequest(forkRequest(inv, res, sip.ACK)); err != nil {
		c.log.Info("ACK to another fork failed", "error", err)
	}
	if !bye {
		return
	}
	c.log.Info("ending the dialog of another fork", "to", res.To().Value())
	c.st.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, forkByeTimeout)
		defer cancel()
		res, err := cl.Do(ctx, forkRequest(inv, res, sip.BYE))
		switch {
		case err != nil:
			c.log.Info("BYE to another fork failed", "error", err)
		case res != nil && res.StatusCode >= 300:
			c.log.Info("BYE to another fork refused", "code", res.StatusCode)
		}
	})
}

// forkRequest builds an ACK or BYE in the dialog a 2xx to inv made (RFC 3261 sections
// 12.2.1.1 and 13.2.2.4): to the 2xx's Contact, through its Record-Route reversed,
// with inv's From, Call-ID and CSeq (one more for the BYE) and the 2xx's To.
func forkRequest(inv *sip.Request, res *sip.Response, method sip.RequestMethod) *sip.Request {
	target := inv.Recipient
	if ct := res.Contact(); ct != nil {
		target = ct.Address
	}
	req := sip.NewRequest(method, *target.Clone())
	seq := inv.CSeq().SeqNo
	if method != sip.ACK {
		seq++
	}
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(inv.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		req.AppendHeader(sip.NewHeader("Route", rr[i].Value()))
	}
	if ct := inv.Contact(); ct != nil {
		req.AppendHeader(sip.HeaderClone(ct))
	}
	req.SetTransport(inv.Transport())
	req.Laddr = inv.Laddr
	return req
}

package sipstack

import (
	"context"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// cancelWait is how long a cancelled INVITE may wait for its final response (487)
// before the call ends without one: 64*T1, RFC 3261 section 9.1.
var cancelWait = 64 * sip.T1

// requestCancel asks for our unanswered INVITE to be cancelled. RFC 3261 section 9.1
// lets a CANCEL go only once a provisional response has come (before, it could
// overtake the INVITE, or reach a peer that never got it); until then the CANCEL
// waits (onProvisional sends it), and a final response or the INVITE's timeout
// (Timer B) ends the call without one.
func (c *Call) requestCancel() {
	c.mu.Lock()
	cancelNow := c.provisional && !c.cancelSent
	c.cancelSent = c.cancelSent || cancelNow
	c.mu.Unlock()
	if cancelNow && c.st.ctx.Err() == nil { // after Close a CANCEL would open a socket of its own
		go c.sendCancel()
	}
}

// sendCancel sends CANCEL for the INVITE last sent; the INVITE's final response must
// then come within cancelWait, or the INVITE is abandoned.
func (c *Call) sendCancel() {
	c.exchangeCancel()
	timer := time.NewTimer(cancelWait)
	defer timer.Stop()
	select {
	case <-c.inviteDone:
	case <-c.st.ctx.Done():
	case <-timer.C:
		c.log.Info("no final response to the cancelled INVITE")
		c.abandonInvite()
	}
}

// exchangeCancel sends the CANCEL and waits for its answer, which says nothing of
// the call: the INVITE's final response does.
func (c *Call) exchangeCancel() {
	_, inv := c.tap.invite()
	if inv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.st.ctx, cancelWait)
	defer cancel()
	c.mu.Lock()
	cl := c.uac.UA.Client
	c.mu.Unlock()
	tx, err := cl.TransactionRequest(ctx, newCancel(inv), keepHeaders)
	if err != nil {
		c.log.Info("CANCEL not sent", "error", err)
		return
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			if res.StatusCode != 200 {
				c.log.Info("CANCEL refused", "code", res.StatusCode)
			}
		case <-tx.Done():
			c.log.Info("CANCEL unanswered", "error", tx.Err())
		case <-ctx.Done():
		}
		return
	}
}

// keepHeaders is a client request option that leaves a request as built: the CANCEL
// carries the INVITE's own Via.
func keepHeaders(*sipgo.Client, *sip.Request) error { return nil }

// newCancel builds the CANCEL of inv (RFC 3261 section 9.1): its Request-URI, top
// Via, From, To, Call-ID, CSeq number and Route, and the same way out.
func newCancel(inv *sip.Request) *sip.Request {
	req := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	req.AppendHeader(sip.HeaderClone(inv.Via()))
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(inv.To()))
	req.AppendHeader(sip.HeaderClone(inv.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	for _, r := range inv.GetHeaders("Route") {
		req.AppendHeader(sip.HeaderClone(r))
	}
	req.SetBody(nil)
	req.SetTransport(inv.Transport())
	req.SetDestination(inv.Destination())
	req.Laddr = inv.Laddr
	return req
}

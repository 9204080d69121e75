package sipstack

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Reliable provisional responses of ours (RFC 3262), the callee's part. To a caller
// whose INVITE supports or requires 100rel our 180 goes reliably: Require: 100rel and
// an RSeq, sent again at T1, 2*T1, 4*T1 and so on until its PRACK arrives; after
// 64*T1 without one the INVITE is refused with 500 (section 3). One reliable response
// is outstanding at a time. A PRACK gets 200 when its RAck names our response, 481
// otherwise. Our 180 carries no SDP, so the answer need not wait for its PRACK.

// reliableGiveUp is how long a reliable provisional response is sent again before
// the INVITE is refused: 64*T1.
var reliableGiveUp = 64 * sip.T1

// reliableResponse is one reliable provisional response of ours.
type reliableResponse struct {
	rseq  uint32
	cseq  uint32        // the INVITE's CSeq number, which the PRACK's RAck names
	acked chan struct{} // closed when its PRACK arrived
}

// wantsReliable reports whether the caller's INVITE supports or requires 100rel.
func wantsReliable(inv *sip.Request) bool {
	return lists(inv, rel100, "Require", "Supported", "k")
}

// ringReliably sends 180 Ringing reliably, unless an earlier reliable response is
// still waiting for its PRACK (then the caller knows we ring already).
func (c *Call) ringReliably() error {
	inv := c.uas.InviteRequest
	c.mu.Lock()
	prev := c.reliable
	if prev != nil && !closed(prev.acked) {
		c.mu.Unlock()
		return nil
	}
	r := &reliableResponse{rseq: rand.Uint32N(1<<31-1) + 1, cseq: inv.CSeq().SeqNo, acked: make(chan struct{})}
	if prev != nil {
		r.rseq = prev.rseq + 1
	}
	c.reliable = r
	c.mu.Unlock()

	res := sip.NewResponseFromRequest(inv, 180, "Ringing", nil)
	res.AppendHeader(sip.NewHeader("Require", rel100))
	res.AppendHeader(sip.NewHeader("RSeq", strconv.FormatUint(uint64(r.rseq), 10)))
	if err := c.uas.WriteResponse(res); err != nil {
		return err
	}
	go c.resendReliable(r, res)
	return nil
}

// resendReliable sends res again with doubling intervals from T1 until its PRACK
// comes or the INVITE gets its final response; after reliableGiveUp it refuses the
// INVITE with 500.
func (c *Call) resendReliable(r *reliableResponse, res *sip.Response) {
	giveUp := time.NewTimer(reliableGiveUp)
	defer giveUp.Stop()
	interval := sip.T1
	next := time.NewTimer(interval)
	defer next.Stop()
	for {
		select {
		case <-r.acked:
			return
		case <-c.inviteDone:
			return
		case <-c.uas.Context().Done():
			return
		case <-c.st.ctx.Done():
			return
		case <-giveUp.C:
			c.refuseUnacknowledged()
			return
		case <-next.C:
			if c.getState() != stateInviting {
				return
			}
			if err := c.uas.WriteResponse(res); err != nil {
				return
			}
			interval *= 2
			next.Reset(interval)
		}
	}
}

// refuseUnacknowledged refuses the INVITE whose reliable response was never PRACKed.
func (c *Call) refuseUnacknowledged() {
	if !c.setState(stateRejecting, stateInviting) {
		return
	}
	c.log.Info("no PRACK for our reliable provisional response: INVITE refused")
	defer close(c.inviteDone)
	res := sip.NewResponseFromRequest(c.uas.InviteRequest, 500, "Server Internal Error", nil)
	res.AppendHeader(sip.NewHeader("Retry-After", "1"))
	_ = c.uas.WriteResponse(res)
	c.emit(Failed, 0, "no PRACK for the reliable 180", nil)
}

// onPrack answers a PRACK: 200 when it acknowledges our reliable provisional
// response, 481 when no call of ours sent the response its RAck names.
func (s *Stack) onPrack(req *sip.Request, tx sip.ServerTransaction) {
	if refuseUnsupported(req, tx) {
		return
	}
	c := s.findCall(req)
	if c == nil || !c.incoming || !c.acknowledge(req) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	// The dialog's remote CSeq stays the INVITE's: sipgo checks the ACK of our 2xx,
	// which keeps the INVITE's number, against it.
	_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
}

// acknowledge reports whether the PRACK req names our last reliable response, and
// stops that response's retransmissions.
func (c *Call) acknowledge(req *sip.Request) bool {
	h := req.GetHeader("RAck")
	if h == nil {
		return false
	}
	var rseq, cseq uint32
	var method string
	if n, err := fmt.Sscanf(strings.TrimSpace(h.Value()), "%d %d %s", &rseq, &cseq, &method); n != 3 || err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reliable
	if r == nil || r.rseq != rseq || r.cseq != cseq || !strings.EqualFold(method, string(sip.INVITE)) {
		return false
	}
	if !closed(r.acked) {
		close(r.acked)
	}
	return true
}

// closed reports whether ch is closed.
func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

package sipstack

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Reliable provisional responses to our INVITE (RFC 3262), the caller's part. Our
// INVITE says Supported: 100rel; a 1xx that requires it and carries an RSeq is
// acknowledged with a PRACK in its early dialog. Responses are taken in order: the
// first of an early dialog sets its sequence, each next one must be one higher, and
// any other (a retransmission, or one that overtook its predecessor) is neither
// PRACKed nor reported (section 4). A reliable 1xx with SDP completes the offer/answer
// exchange in its early dialog, which the peer may then change with an UPDATE
// (update.go).

// rel100 is the option tag of reliable provisional responses.
const rel100 = "100rel"

// reliableRSeq returns the RSeq of a reliable provisional response; ok is false
// for any other response.
func reliableRSeq(res *sip.Response) (rseq uint32, ok bool) {
	if res.StatusCode <= 100 || res.StatusCode >= 200 || !lists(res, rel100, "Require") {
		return 0, false
	}
	h := res.GetHeader("RSeq")
	if h == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
	if err != nil || n == 0 {
		return 0, false
	}
	return uint32(n), true
}

// takeProvisional decides what becomes of a provisional response to our INVITE:
// an unreliable one is taken as it is; a reliable one in order is PRACKed and
// taken; any other reliable one is dropped (false).
func (c *Call) takeProvisional(sess *sipgo.DialogClientSession, res *sip.Response) bool {
	rseq, ok := reliableRSeq(res)
	if !ok {
		return true
	}
	tag, _ := res.To().Params.Get("tag")
	c.mu.Lock()
	if c.rseqs == nil {
		c.rseqs = make(map[string]uint32)
	}
	last, seen := c.rseqs[tag]
	inOrder := !seen || rseq == last+1
	if inOrder {
		c.rseqs[tag] = rseq
	}
	c.mu.Unlock()
	if !inOrder {
		c.log.Debug("reliable provisional response dropped", "rseq", rseq, "last", last)
		return false
	}
	c.prack(sess, res, rseq)
	if len(res.Body()) > 0 {
		c.earlyAnswer(sess.InviteRequest, res)
	}
	return true
}

// prack acknowledges the reliable provisional response res in its early dialog.
// sipgo's session builds the PRACK from the response it last received, res: its To
// tag, its Record-Route as the route set, and the dialog's next CSeq.
func (c *Call) prack(sess *sipgo.DialogClientSession, res *sip.Response, rseq uint32) {
	req := sip.NewRequest(sip.PRACK, remoteTarget(sess.InviteRequest, res))
	c.inDialog(req)
	cseq := res.CSeq()
	req.AppendHeader(sip.NewHeader("RAck", fmt.Sprintf("%d %d %s", rseq, cseq.SeqNo, cseq.MethodName)))
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	ctx, cancel := context.WithTimeout(c.st.ctx, 64*sip.T1)
	tx, err := sess.TransactionRequest(ctx, req)
	if err != nil {
		cancel()
		c.log.Warn("PRACK not sent", "error", err)
		return
	}
	go func() {
		defer cancel()
		defer tx.Terminate()
		for {
			select {
			case r := <-tx.Responses():
				if r.IsProvisional() {
					continue
				}
				if !r.IsSuccess() {
					c.log.Info("PRACK refused", "code", r.StatusCode, "reason", r.Reason)
				}
				return
			case <-tx.Done():
				c.log.Info("PRACK unanswered", "error", tx.Err())
				return
			case <-ctx.Done():
				return
			}
		}
	}()
}

// earlyAnswer takes the SDP of a reliable provisional response to inv as the peer's
// answer in its early dialog, which can now be reached by an UPDATE (earlymove.go).
func (c *Call) earlyAnswer(inv *sip.Request, res *sip.Response) {
	id, err := sip.DialogIDFromResponse(res)
	if err != nil {
		return
	}
	early := newEarlyTarget(id, inv, res)
	c.mu.Lock()
	c.sdp.setRemote(res.Body())
	c.early = early
	known := slices.Contains(c.earlyDialogs, id)
	if !known {
		c.earlyDialogs = append(c.earlyDialogs, id)
	}
	c.mu.Unlock()
	if !known {
		c.st.addCall(id, c)
	}
}

// inEarlyDialog reports whether the call is ours, not yet answered, and has
// completed an offer/answer exchange in an early dialog.
func (c *Call) inEarlyDialog() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.incoming && c.state == stateInviting && len(c.earlyDialogs) > 0
}

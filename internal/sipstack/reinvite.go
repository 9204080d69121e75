package sipstack

import (
	"errors"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// onReInvite answers an INVITE inside an existing dialog, from either side
// of the call. With an SDP offer it answers 200 with our media in the
// direction that fits both hold states (recvonly when the peer holds us,
// inactive when we hold it too) and reports Updated. Without SDP our 200
// carries our current SDP as the offer, and the answer comes in the ACK.
// An unusable offer gets 488 and changes nothing; a re-INVITE crossing ours
// gets 491 (RFC 3261 section 14.2); a dialog we do not know gets 481.
func (s *Stack) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	c := s.findCall(req)
	if c == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	if c.incoming {
		// Keeps the dialog's remote CSeq, which the ACK is checked against.
		if err := c.uas.ReadRequest(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
			return
		}
	}
	offer := req.Body()
	body, code, reason := c.answerReInvite(offer)
	if code != 200 {
		c.log.Info("re-INVITE refused", "code", code, "reason", reason)
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		if code == 500 || code == 491 {
			res.AppendHeader(sip.NewHeader("Retry-After", "1"))
		}
		_ = tx.Respond(res)
		return
	}
	res := sip.NewSDPResponseFromRequest(req, body)
	ct := s.contact(c.account, strings.ToUpper(req.Transport()), req.Recipient.User, s.localIP(sourceHost(req)))
	res.AppendHeader(&ct)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	started := c.refreshedByPeer(req, res)
	if err := tx.Respond(res); err != nil {
		c.log.Warn("re-INVITE answer not sent", "error", err)
		return
	}
	if started {
		c.startSessionTimer()
	}
	if len(offer) > 0 {
		c.emitEvent(CallEvent{Kind: Updated, Reason: "re-INVITE", SDP: append([]byte(nil), offer...), RemoteHeld: c.remoteHeld()})
	}
}

// answerReInvite decides the response to a re-INVITE: its code, reason and,
// for 200, the SDP body.
func (c *Call) answerReInvite(offer []byte) ([]byte, int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.state == stateEnded:
		return nil, 481, "Call/Transaction Does Not Exist"
	case c.state != stateEstablished:
		return nil, 500, "Server Internal Error" // the first INVITE is not done yet
	case c.reinviting:
		return nil, 491, "Request Pending"
	case len(offer) == 0:
		if !c.sdp.ok {
			return nil, 488, "Not Acceptable Here"
		}
		c.offerInAck = true
		return c.sdp.body, 200, "OK"
	}
	body, err := c.sdp.answer(offer)
	if err != nil {
		return nil, 488, "Not Acceptable Here"
	}
	c.offerInAck = false
	return body, 200, "OK"
}

// onReInviteAck takes the answer an ACK carries after our 200 to an INVITE or
// re-INVITE without SDP made the offer, and reports it as Updated; without a
// usable one, BadAnswer.
func (c *Call) onReInviteAck(ack *sip.Request) {
	c.mu.Lock()
	if !c.offerInAck {
		c.mu.Unlock()
		return
	}
	c.offerInAck = false
	answer := ack.Body()
	err := errors.New("no SDP")
	if len(answer) > 0 {
		err = c.sdp.answerInAck(answer)
	}
	c.mu.Unlock()
	if err != nil {
		c.log.Info("ACK without a usable answer", "error", err)
		c.emit(BadAnswer, 0, "ACK: "+err.Error(), nil)
		return
	}
	c.emitEvent(CallEvent{Kind: Updated, Reason: "ACK", SDP: append([]byte(nil), answer...), RemoteHeld: c.remoteHeld(), FromAck: true})
}

// remoteHeld reports whether the peer holds us, as its last SDP said.
func (c *Call) remoteHeld() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sdp.remoteHeld
}

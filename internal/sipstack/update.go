package sipstack

import (
	"context"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// UPDATE (RFC 3311) in a confirmed dialog, both ways. Received, it is answered as
// a re-INVITE is (reinvite.go): an SDP offer gets our answer and an Updated event,
// one without SDP a bare 200; either refreshes the session timer. Sent, it is our
// session refresh when the peer allows it (sessiontimer_run.go).
//
// In an early dialog of our call whose offer/answer is done by a reliable
// provisional response (prack.go), an UPDATE's offer is answered the same way and
// reported as a Provisional event with its SDP: new early media (RFC 3311 section
// 5.1). In an incoming call's early dialog our answer is still owed to the INVITE,
// so an offer there gets 500 with Retry-After, as a re-INVITE then gets.

// onUpdate answers an UPDATE inside one of our dialogs; one for a dialog we do not
// know gets 481, one below our Min-SE 422, one requiring an extension we lack 420,
// and one whose offer crosses our re-INVITE 491 (RFC 3311 section 5.2).
func (s *Stack) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	if refuseUnsupported(req, tx) || s.refuseBriefSession(req, tx) {
		return
	}
	c := s.findCall(req)
	if c == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	if c.incoming {
		if err := c.uas.ReadRequest(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
			return
		}
	}
	offer := req.Body()
	early := c.inEarlyDialog()
	body, code, reason := c.answerUpdate(offer, early)
	if code != 200 {
		c.log.Info("UPDATE refused", "code", code, "reason", reason)
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		if code == 500 || code == 491 {
			res.AppendHeader(sip.NewHeader("Retry-After", "1"))
		}
		_ = tx.Respond(res)
		return
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	if body != nil {
		res = sip.NewSDPResponseFromRequest(req, body)
	}
	ct := s.contact(c.account, strings.ToUpper(req.Transport()), req.Recipient.User, s.localIP(sourceHost(req)))
	res.AppendHeader(&ct)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	started := c.refreshedByPeer(req, res)
	if early && len(offer) > 0 {
		// before our answer goes: the peer may send its 2xx to the INVITE as soon as
		// it has it, and the new early media must be reported before the answer
		c.emit(Provisional, 0, "UPDATE", append([]byte(nil), offer...))
	}
	if err := tx.Respond(res); err != nil {
		c.log.Warn("UPDATE answer not sent", "error", err)
		return
	}
	if started {
		c.startSessionTimer()
	}
	switch {
	case len(offer) == 0, early:
	default:
		c.emitEvent(CallEvent{Kind: Updated, Reason: "UPDATE", SDP: append([]byte(nil), offer...), RemoteHeld: c.remoteHeld()})
	}
}

// answerUpdate decides the response to an UPDATE: an offer is answered as a
// re-INVITE's is, or in an early dialog whose offer/answer is done (early) with our
// answer; without one the answer is a bare 200 in such a dialog or a confirmed one.
func (c *Call) answerUpdate(offer []byte, early bool) ([]byte, int, string) {
	if early {
		return c.answerEarlyUpdate(offer)
	}
	if len(offer) > 0 {
		return c.answerReInvite(offer)
	}
	switch st := c.getState(); {
	case st == stateEnded:
		return nil, 481, "Call/Transaction Does Not Exist"
	case st != stateEstablished:
		return nil, 500, "Server Internal Error" // an early dialog: not supported
	}
	return nil, 200, "OK"
}

// sendUpdate refreshes the session with an UPDATE without SDP. A non-2xx answer
// is a *StatusError; a timeout or transport failure is returned as is.
func (c *Call) sendUpdate(ctx context.Context) error {
	if st := c.getState(); st != stateEstablished {
		return stateError(st)
	}
	req := sip.NewRequest(sip.UPDATE, c.remoteTarget())
	c.inDialog(req)
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	c.refreshTerms(req)
	res, err := c.do(ctx, req)
	if err != nil {
		return fmt.Errorf("sipstack: UPDATE: %w", err)
	}
	if !res.IsSuccess() {
		return statusError(res)
	}
	c.refreshAnswered(res)
	return nil
}

// answerEarlyUpdate answers an UPDATE in an early dialog of our call: an offer
// with our answer (488 when unusable, 491 while our own early UPDATE is in
// flight), none with a bare 200.
func (c *Call) answerEarlyUpdate(offer []byte) ([]byte, int, string) {
	if len(offer) == 0 {
		return nil, 200, "OK"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reinviting {
		return nil, 491, "Request Pending" // our early UPDATE crosses it (earlymove.go)
	}
	body, err := c.sdp.answer(offer)
	if err != nil {
		return nil, 488, "Not Acceptable Here"
	}
	return body, 200, "OK"
}

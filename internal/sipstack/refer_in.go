package sipstack

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Being transferred (RFC 3515): a REFER in one of our confirmed dialogs is reported
// as a Referred event with the Refer-To target; the receiver decides with
// AnswerRefer while the REFER waits (202 Accepted or 603 Declined), and reports how
// its call to the target goes with NotifyRefer, NOTIFYs in the same dialog whose
// message/sipfrag is that call's status line.

// referDecisionTimeout bounds the wait for AnswerRefer; the REFER then gets 500.
const referDecisionTimeout = 5 * time.Second

// referSubscription is how long our implicit subscription lasts, as the
// Subscription-State of our NOTIFYs says until the last one ends it.
const referSubscription = 60

// onRefer answers a REFER in one of our dialogs: 481 outside one, 400 without one
// Refer-To URI, else what the receiver of the Referred event decides.
func (s *Stack) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	c := s.findCall(req)
	if c == nil || c.getState() != stateEstablished {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	target, ok := referTarget(req)
	if !ok {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Refer-To", nil))
		return
	}
	if c.incoming {
		if err := c.uas.ReadRequest(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
			return
		}
	}
	decision := make(chan bool, 1)
	c.mu.Lock()
	busy := c.referDecision != nil
	if !busy {
		c.referDecision = decision
	}
	c.mu.Unlock()
	if busy {
		res := sip.NewResponseFromRequest(req, 491, "Request Pending", nil)
		_ = tx.Respond(res)
		return
	}
	defer func() {
		c.mu.Lock()
		c.referDecision = nil
		c.mu.Unlock()
	}()
	c.emit(Referred, 0, target, nil)
	var res *sip.Response
	select {
	case accept := <-decision:
		res = sip.NewResponseFromRequest(req, 603, "Declined", nil)
		if accept {
			res = sip.NewResponseFromRequest(req, 202, "Accepted", nil)
		}
	case <-time.After(referDecisionTimeout):
		res = sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil)
	case <-s.ctx.Done():
		res = sip.NewResponseFromRequest(req, 503, "Service Unavailable", nil)
	}
	ct := s.contact(c.account, strings.ToUpper(req.Transport()), req.Recipient.User, s.localIP(sourceHost(req)))
	res.AppendHeader(&ct)
	if err := tx.Respond(res); err != nil {
		c.log.Warn("REFER answer not sent", "error", err)
	}
}

// AnswerRefer answers the REFER a Referred event reported: 202 when accept, else
// 603. It does nothing when no REFER waits.
func (c *Call) AnswerRefer(accept bool) {
	c.mu.Lock()
	decision := c.referDecision
	c.referDecision = nil
	c.mu.Unlock()
	if decision != nil {
		decision <- accept
	}
}

// NotifyRefer reports the progress of our call to a REFER's target: a NOTIFY whose
// message/sipfrag is "SIP/2.0 code reason"; final ends the subscription with it.
// A non-2xx answer is a *StatusError; a timeout or transport failure is returned as
// is.
func (c *Call) NotifyRefer(ctx context.Context, code int, reason string, final bool) error {
	if st := c.getState(); st != stateEstablished {
		return stateError(st)
	}
	req := sip.NewRequest(sip.NOTIFY, c.remoteTarget())
	c.inDialog(req)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := fmt.Sprintf("active;expires=%d", referSubscription)
	if final {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	req.SetBody(fmt.Appendf(nil, "SIP/2.0 %d %s\r\n", code, reason))
	res, err := c.do(ctx, req)
	if err != nil {
		return fmt.Errorf("sipstack: NOTIFY: %w", err)
	}
	if !res.IsSuccess() {
		return &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

// referTarget is the URI of the REFER's one Refer-To header, without its angle
// brackets and parameters: "sip:carol@example.com" of
// "<sip:carol@example.com>;x=1". Its embedded headers stay (Replaces, RFC 3891).
func referTarget(req *sip.Request) (string, bool) {
	hs := req.GetHeaders("Refer-To")
	if len(hs) != 1 {
		return "", false
	}
	v := strings.TrimSpace(hs[0].Value())
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return "", false
		}
		v = v[i+1 : i+j]
	} else {
		v, _, _ = strings.Cut(v, ";")
	}
	var u sip.Uri
	if v == "" || sip.ParseUri(v, &u) != nil || (u.Scheme != "sip" && u.Scheme != "sips") {
		return "", false
	}
	return v, true
}

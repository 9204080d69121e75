package sipstack

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Transfer out (RFC 3515): Refer sends REFER on a confirmed dialog with the target
// in Refer-To; the peer's 202 starts an implicit subscription in that dialog, whose
// NOTIFYs carry a message/sipfrag of the status line of the peer's call to the
// target. onNotify answers each and reports it as a TransferProgress event; the one
// whose Subscription-State is terminated is Final.

// Refer asks the peer to call target (a SIP URI, screened as a dial target is, and
// perhaps the Replaces header of ReplacingTarget for an attended transfer) and returns once it accepted
// (202, or any 2xx). A non-2xx answer is a *StatusError; a timeout or transport
// failure is returned as is. The progress comes as TransferProgress events.
func (c *Call) Refer(ctx context.Context, target string) error {
	if st := c.getState(); st != stateEstablished {
		return stateError(st)
	}
	base, headers, replacing := strings.Cut(target, "?")
	if replacing && !isReplacesHeader(headers) {
		return fmt.Errorf("%w: %q: only a Replaces header may follow", ErrBadTarget, target)
	}
	screened, err := ParseTarget(base, Account{})
	if err != nil {
		return err
	}
	to, err := parseURI(screened)
	if err != nil {
		return err
	}
	referTo := (&to).String()
	if replacing {
		referTo += "?" + headers // the escaped Replaces of ReplacingTarget (replaces.go)
	}
	req := sip.NewRequest(sip.REFER, c.remoteTarget())
	c.inDialog(req)
	req.AppendHeader(sip.NewHeader("Refer-To", "<"+referTo+">"))
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+c.localURI().String()+">"))
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	res, err := c.do(ctx, req)
	if err != nil {
		return fmt.Errorf("sipstack: REFER: %w", err)
	}
	if !res.IsSuccess() {
		return &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

// localURI is our address in the dialog: the From of our INVITE, or the To of the
// peer's.
func (c *Call) localURI() *sip.Uri {
	if c.incoming {
		return c.uas.InviteRequest.To().Address.Clone()
	}
	return c.uac.InviteRequest.From().Address.Clone()
}

// onNotify answers a NOTIFY in one of our dialogs: the progress of a transfer we
// asked for. One outside a dialog we know gets 481, one of another event package
// 489 (RFC 6665 section 4.1.3).
func (s *Stack) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	if s.onSubscriptionNotify(req, tx) { // notify.go
		return
	}
	c := s.findCall(req)
	if c == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Subscription Does Not Exist", nil))
		return
	}
	if ev := req.GetHeader("Event"); ev == nil || eventPackage(ev.Value()) != "refer" {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 489, "Bad Event", nil))
		return
	}
	if c.incoming {
		if err := c.uas.ReadRequest(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
			return
		}
	}
	code, reason, ok := parseSipfrag(req.Body())
	if !ok {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	if err := tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil)); err != nil {
		c.log.Warn("NOTIFY answer not sent", "error", err)
	}
	final := false
	if st := req.GetHeader("Subscription-State"); st != nil {
		final = eventPackage(st.Value()) == "terminated"
	}
	c.emitEvent(CallEvent{Kind: TransferProgress, Code: code, Reason: reason, Final: final})
}

// eventPackage is the value of an Event or Subscription-State header without its
// parameters, lower case: "refer" of "refer;id=93809824".
func eventPackage(v string) string {
	v, _, _ = strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(v))
}

// parseSipfrag reads the status line of a message/sipfrag body (RFC 3420):
// "SIP/2.0 180 Ringing".
func parseSipfrag(body []byte) (code int, reason string, ok bool) {
	line, _, _ := strings.Cut(string(body), "\n")
	line = strings.TrimRight(line, "\r")
	version, rest, found := strings.Cut(line, " ")
	if !found || !strings.EqualFold(version, "SIP/2.0") {
		return 0, "", false
	}
	num, reason, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(num)
	if err != nil || code < 100 || code > 699 {
		return 0, "", false
	}
	return code, strings.TrimSpace(reason), true
}

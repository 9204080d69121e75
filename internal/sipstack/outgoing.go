package sipstack

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// connectTimeout bounds opening the connection for an INVITE (TCP/TLS dial).
const connectTimeout = 30 * time.Second

// DialOptions describes an outgoing call.
type DialOptions struct {
	Target  string   // a URI, normally from ParseTarget
	SDP     []byte   // the offer; nil sends an INVITE without body
	Headers []Header // extra headers, checked with ValidateHeader; see ParseHeaders
	// Reoffer, when set, makes the offer of an INVITE that follows a 3xx from
	// another local address than the INVITE before it (redirect.go): it is called,
	// on the call's own goroutine, with that address, and returns the SDP to offer
	// from it (nil keeps the previous offer).
	Reoffer func(ip string) []byte
	// Account is the ID of the account the call is from; "" the default.
	Account string
}

// Dial sends an INVITE in the background and returns at once. Progress is
// reported with CallEvent; the call's Call-ID is known immediately.
func (s *Stack) Dial(opts DialOptions) (*Call, error) {
	acc, hasAcc := s.accountByID(opts.Account)
	if !hasAcc && opts.Account != "" {
		return nil, ErrNoAccount
	}
	if _, err := ParseTarget(opts.Target, acc); err != nil {
		return nil, err
	}
	target, err := parseURI(strings.Trim(opts.Target, " \t"))
	if err != nil {
		return nil, err
	}
	if err := validateHeaders(opts.Headers); err != nil {
		return nil, err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}

	o := s.newInvite(target, acc, hasAcc, opts)
	s.route(o) // outofdialog.go
	dua, tap := tapped(s.dialogUA(opts.Account, o.transport(), o.req.From().Address.User, o.ip))
	c := &Call{
		st:         s,
		callID:     o.req.CallID().Value(),
		account:    opts.Account,
		tap:        tap,
		inviteDone: make(chan struct{}),
	}
	c.sdp.setLocal(opts.SDP)
	c.log = s.log.With("call", c.callID)
	go c.runOutgoing(dua, o.req, acc, o.ip, opts.Reoffer)
	return c, nil
}

// dialTransport is the transport an INVITE to target goes on: the one target's
// transport parameter names, else the account's, else UDP.
func dialTransport(acc Account, hasAcc bool, target sip.Uri) string {
	if v, ok := target.UriParams.Get("transport"); ok && v != "" {
		return strings.ToUpper(v)
	}
	if hasAcc {
		return acc.transport()
	}
	return "UDP"
}

// newInvite builds the INVITE of an outgoing call to target from acc
// (outofdialog.go).
func (s *Stack) newInvite(target sip.Uri, acc Account, hasAcc bool, o DialOptions) *outOfDialog {
	od := s.newOutOfDialog(sip.INVITE, target, acc, hasAcc, requestIDs{})
	req := od.req
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	if h := supportedHeader(); h != nil {
		req.AppendHeader(h)
	}
	for _, h := range o.Headers {
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	s.offerTerms(req)
	if o.SDP != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	req.SetBody(o.SDP)
	return od
}

// runOutgoing owns the INVITE client transaction of an outgoing call, and those of
// the INVITEs that follow its 3xx answers when the stack follows redirects.
// ip is the local address the first INVITE leaves from; reoffer is DialOptions'.
func (c *Call) runOutgoing(dua *sipgo.DialogUA, req *sip.Request, acc Account, ip string, reoffer func(string) []byte) {
	defer close(c.inviteDone)
	redirects := newRedirects(req.Recipient)
	intervalRetries := 0
	for {
		sess, err := c.invite(dua, req, acc)
		if movesOn(err) {
			if next, ok := c.st.atNextHop(req, acc); ok && c.restartInvite() { // routes.go
				req = next
				continue
			}
		}
		if sess == nil {
			c.emit(Failed, 0, err.Error(), nil)
			return
		}
		var failure *sipgo.ErrDialogResponse
		if errors.As(err, &failure) && failure.Res.StatusCode == 422 && intervalRetries < maxIntervalRetries {
			if next, ok := c.st.intervalRetry(sess.InviteRequest, failure.Res); ok && c.restartInvite() {
				intervalRetries++
				c.log.Info("session interval too small; asking for the peer's Min-SE", "interval", next.GetHeader("Session-Expires").Value())
				req = next
				continue
			}
		}
		if !errors.As(err, &failure) || !c.st.cfg.FollowRedirects || !isRedirect(failure.Res) {
			c.finishInvite(sess, err)
			return
		}
		target, reason, ok := redirects.next(failure.Res)
		if ok && c.restartInvite() {
			c.log.Info("following a redirect", "code", failure.Res.StatusCode, "to", target.String())
			c.emit(Redirected, failure.Res.StatusCode, target.String(), nil)
			prev := ip
			dua, req, ip = c.redirected(sess.InviteRequest, target)
			c.reoffer(req, prev, ip, reoffer)
			continue
		}
		if reason != "" && c.getState() != stateCancelling {
			c.log.Info("redirect not followed", "reason", reason, "to", target.String())
			c.emit(Failed, failure.Res.StatusCode, reason, nil)
			return
		}
		c.finishInvite(sess, err)
		return
	}
}

// invite sends req and waits for its final response: the session is nil when the
// INVITE could not be sent, and err is awaitAnswer's.
func (c *Call) invite(dua *sipgo.DialogUA, req *sip.Request, acc Account) (*sipgo.DialogClientSession, error) {
	connCtx, cancelConn := context.WithTimeout(context.Background(), connectTimeout)
	sess, err := dua.WriteInvite(connCtx, req)
	cancelConn()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.uac = sess
	c.mu.Unlock()
	return sess, c.awaitAnswer(sess, acc)
}

// restartInvite readies the call for the INVITE that follows a 3xx, unless a hangup
// came meanwhile: a CANCEL again waits for that INVITE's first provisional response.
// The early dialogs of the last INVITE are forgotten.
func (c *Call) restartInvite() bool {
	c.mu.Lock()
	if c.state != stateInviting {
		c.mu.Unlock()
		return false
	}
	c.provisional, c.cancelSent = false, false
	early := c.earlyDialogs
	c.rseqs, c.earlyDialogs, c.early, c.ringTags = nil, nil, nil, nil
	c.mu.Unlock()
	for _, id := range early {
		c.st.removeCall(id)
	}
	return true
}

// finishInvite ends the INVITE transaction of sess, whose final response or error
// awaitAnswer returned as err: the call is answered (ACK sent, and a second fork
// ended), ended by our hangup, or failed.
func (c *Call) finishInvite(sess *sipgo.DialogClientSession, err error) {
	res := sess.InviteResponse
	answered := err == nil && res != nil && res.IsSuccess()
	if answered {
		c.tap.answeredBy(res)
		if tx, _ := c.tap.invite(); tx != nil {
			c.watchForks(tx, res)
		}
		c.confirm(sess)
	}
	hungUp := c.getState() == stateCancelling
	var failure *sipgo.ErrDialogResponse
	switch {
	case answered && (hungUp || !c.setState(stateEstablished, stateInviting)):
		// Our CANCEL lost the race with the 2xx: close the dialog again.
		_ = c.bye(context.Background())
	case answered:
		c.mu.Lock()
		c.timer = newSessionTimer(answeredTerms(res))
		c.mu.Unlock()
		c.emit(Answered, res.StatusCode, res.Reason, res.Body())
		c.startSessionTimer()
	case hungUp:
		code := 0
		if res != nil && res.StatusCode >= 300 {
			code = res.StatusCode
		}
		c.emit(Ended, code, "CANCEL", nil)
	case errors.As(err, &failure):
		c.emit(Failed, failure.Res.StatusCode, failure.Res.Reason, nil)
	default:
		out := errorOutcome(err)
		c.emit(Failed, out.Code, out.Reason, nil)
	}
}

// confirm sends the ACK for a 2xx and makes the dialog reachable by BYE.
func (c *Call) confirm(sess *sipgo.DialogClientSession) {
	if err := sess.Ack(context.Background()); err != nil {
		c.log.Warn("ACK failed", "error", err)
	}
	if id, err := sip.DialogIDFromResponse(sess.InviteResponse); err == nil {
		c.mu.Lock()
		c.dialogID = id
		c.sdp.setRemote(sess.InviteResponse.Body())
		c.mu.Unlock()
		c.st.addCall(id, c)
	}
}

func (c *Call) hangupOutgoing(ctx context.Context) error {
	switch c.getState() {
	case stateEnded:
		return ErrCallEnded
	case stateEstablished:
		return c.bye(ctx)
	}
	if c.setState(stateCancelling, stateInviting) {
		c.requestCancel()
	}
	select {
	case <-c.inviteDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

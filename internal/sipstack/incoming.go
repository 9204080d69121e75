package sipstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// onInvite handles a new INVITE: 100 Trying at once, an Incoming event, and
// then it holds the server transaction until a final response is done or
// the caller cancels. An INVITE inside a dialog goes to onReInvite.
func (s *Stack) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if s.refuseBriefSession(req, tx) {
		return
	}
	if to := req.To(); to != nil && to.Params.Has("tag") {
		s.onReInvite(req, tx)
		return
	}
	replaces, ok := s.replacedCall(req, tx) // RFC 3891 (replaces_in.go)
	if !ok {
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 100, "Trying", nil))
	tp := strings.ToUpper(req.Transport())
	user := req.Recipient.User
	acc, ok := s.accountFor(req) // accounts.go
	if ok {
		user = acc.Username
	}
	fill2543(req) // an RFC 2543 caller (frontdoor_torture_screen.go)
	sess, err := s.dialogUA(acc.ID, tp, user, s.localIP(sourceHost(req))).ReadInvite(req, tx)
	if err != nil {
		s.log.Info("bad INVITE", "error", err)
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	c := &Call{
		st:         s,
		callID:     req.CallID().Value(),
		incoming:   true,
		account:    acc.ID,
		uas:        sess,
		dialogID:   sess.ID,
		inviteDone: make(chan struct{}),
		timer:      newSessionTimer(offeredTerms(req)),
	}
	c.log = s.log.With("call", c.callID)
	var offer []byte
	if b := req.Body(); len(b) > 0 {
		offer = append([]byte(nil), b...)
		c.sdp.setRemote(offer)
	}
	s.addCall(sess.ID, c)

	from := req.From()
	s.emit(Incoming{
		Call:        c,
		Account:     acc.ID,
		From:        from.Address.String(),
		FromUser:    from.Address.User,
		FromName:    unescapeDisplayName(from.DisplayName),
		To:          req.To().Address.String(),
		SDP:         offer,
		LocalIP:     s.localIP(mediaHost(offer, sourceHost(req))),
		Replaces:    replaces,
		AnswerHints: answerHints(req),
	})

	select {
	case <-c.inviteDone:
	case <-sess.Context().Done():
		if c.setState(stateEnded, stateInviting) {
			c.emitInviteGone()
		} else {
			<-c.inviteDone // a final response is on its way; let it finish
		}
	}
}

// mediaHost is the address the offer's media comes from, else fallback.
func mediaHost(offer []byte, fallback string) string {
	if d, err := ParseSDP(offer); err == nil {
		if ip := net.ParseIP(d.IP); ip != nil && !ip.IsUnspecified() {
			return d.IP
		}
	}
	return fallback
}

// emitInviteGone reports an INVITE transaction that ended under us.
func (c *Call) emitInviteGone() {
	if errors.Is(context.Cause(c.uas.Context()), sip.ErrTransactionCanceled) {
		c.emit(RemoteCancel, 487, "Request Terminated", nil)
		return
	}
	if c.byeSeen.Load() {
		c.emit(RemoteBye, 0, "BYE", nil) // its BYE overtook its ACK (Call.byeSeen)
		return
	}
	c.emit(Failed, 0, "INVITE transaction ended", nil)
}

func (s *Stack) onAck(req *sip.Request, tx sip.ServerTransaction) {
	c := s.findCall(req)
	if c == nil {
		return
	}
	if c.incoming {
		if err := c.uas.ReadAck(req, tx); err != nil {
			c.log.Debug("ACK ignored", "error", err)
			return
		}
	}
	c.onReInviteAck(req)
}

func (s *Stack) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := s.findCall(req)
	if c == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	c.onRemoteBye(req, tx)
}

// onCancel sees only a CANCEL that matched no INVITE transaction (the
// transaction layer answers the others itself with 200 and 487).
func (s *Stack) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
}

func (s *Stack) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	if h := supportedHeader(); h != nil {
		res.AppendHeader(h)
	}
	res.AppendHeader(sip.NewHeader("Server", s.cfg.UserAgent))
	_ = tx.Respond(res)
}

// Ring sends 180 Ringing for an incoming call not yet answered, reliably when the
// caller supports 100rel (reliable.go).
func (c *Call) Ring() error {
	if !c.incoming {
		return ErrCallState
	}
	if st := c.getState(); st != stateInviting {
		return stateError(st)
	}
	if wantsReliable(c.uas.InviteRequest) {
		return c.ringReliably()
	}
	return c.uas.Respond(180, "Ringing", nil)
}

// Answer sends 200 OK with sdp and waits for the ACK in the background.
// A CANCEL that crosses the answer ends the call with RemoteCancel. To an
// INVITE without SDP (a delayed offer) sdp is our offer, and the peer's answer
// comes in the ACK: Updated with FromAck, or BadAnswer.
func (c *Call) Answer(sdp []byte) error {
	if !c.incoming || len(sdp) == 0 {
		return ErrCallState
	}
	if !c.setState(stateAnswering, stateInviting) {
		return stateError(c.getState())
	}
	res := sip.NewSDPResponseFromRequest(c.uas.InviteRequest, sdp)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	if h := supportedHeader(); h != nil {
		res.AppendHeader(h)
	}
	res.AppendHeader(sip.NewHeader("Server", c.st.cfg.UserAgent))
	c.mu.Lock()
	c.sdp.setLocal(sdp)
	c.offerInAck = len(c.uas.InviteRequest.Body()) == 0
	if c.timer != nil {
		c.timer.answerHeaders(res)
	}
	c.mu.Unlock()
	go func() {
		defer close(c.inviteDone)
		if err := c.uas.WriteResponse(res); err != nil {
			c.log.Info("answer not confirmed", "error", err)
			c.emitInviteGone()
			return
		}
		if c.setState(stateEstablished, stateAnswering) {
			c.startSessionTimer()
		}
	}()
	return nil
}

// Reject sends a final error response (e.g. 486 Busy Here, 603 Decline) to
// an incoming call not yet answered, and reports Ended once it is ACKed.
func (c *Call) Reject(code int, reason string) error {
	if !c.incoming {
		return ErrCallState
	}
	if code < 300 || code > 699 {
		return fmt.Errorf("%w: reject code %d", ErrCallState, code)
	}
	reason = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, reason)
	if !c.setState(stateRejecting, stateInviting) {
		return stateError(c.getState())
	}
	go func() {
		defer close(c.inviteDone)
		if err := c.uas.Respond(code, reason, nil); err != nil {
			c.log.Info("reject failed", "error", err)
			c.emitInviteGone()
			return
		}
		c.emit(Ended, code, reason, nil)
	}()
	return nil
}

func (c *Call) hangupIncoming(ctx context.Context) error {
	switch st := c.getState(); st {
	case stateEnded:
		return ErrCallEnded
	case stateAnswering, stateEstablished:
		return c.bye(ctx)
	case stateInviting:
		if err := c.Reject(603, "Decline"); err != nil {
			return err
		}
	}
	select {
	case <-c.inviteDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func stateError(st callState) error {
	if st == stateEnded {
		return ErrCallEnded
	}
	return ErrCallState
}

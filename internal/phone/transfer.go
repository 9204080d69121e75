package phone

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Blind transfer (call.transfer): the call is held, the peer is asked with REFER
// (RFC 3515) to call the target, and its NOTIFYs report how that call goes. When the
// target answers, our call ends with cause transferred (a BYE); when the peer refuses
// the REFER, the target does not answer or no outcome comes in time, the call stays
// and is resumed if it was held for the transfer.

const (
	// referTimeout bounds the wait for the peer's answer to the REFER, below the
	// control API's command deadline so that the command answers with the outcome.
	referTimeout = 20 * time.Second
	// transferTimeout bounds the wait for the final NOTIFY once the REFER was taken:
	// the target's ringing, and then some.
	transferTimeout = 90 * time.Second
)

// referrer is a dialog that can send REFER: *sipstack.Call.
type referrer interface {
	Refer(ctx context.Context, target string) error
}

// transfer is a blind transfer of one call in progress.
type transfer struct {
	target  string // as the command named it, for the events
	uri     string // the SIP URI in Refer-To
	consult *call  // attended: the call whose party takes over, ended with ours
	held    bool   // we held the call for it: a failure resumes it
	timeout func() // cancels the wait for the final NOTIFY
}

// transferCall runs call.transfer on the actor. It answers once the peer took or
// refused the REFER; the rest of the transfer comes as call.transfer events.
func (p *Phone) transferCall(a *api.TransferArgs, done answer) {
	if (a.Target == "") == (a.ConsultCallID == "") {
		done(nil, api.BadArg("target", "one of target (a number, user or SIP URI) or consultCallId"))
		return
	}
	c, err := p.resolve(a.CallRef)
	if err != nil {
		done(nil, err)
		return
	}
	d, ok := c.dialog.(referrer)
	switch {
	case c.state != stActive:
		done(nil, fmt.Errorf("%w: cannot transfer: the call on line %d is %s", ErrCallState, c.line, c.state))
		return
	case c.transfer != nil:
		done(nil, fmt.Errorf("%w: a transfer of the call on line %d is in progress", ErrCallState, c.line))
		return
	case !ok:
		done(nil, fmt.Errorf("%w: the call on line %d cannot be transferred", ErrCallState, c.line))
		return
	}
	t, err := p.transferTo(c, a)
	if err != nil {
		done(nil, err)
		return
	}
	c.transfer = t
	if c.hold.held() {
		p.sendRefer(c, t, d, done)
		return
	}
	p.changeHold(c, true, func(_ any, err error) {
		if err != nil {
			c.transfer = nil
			done(nil, err)
			return
		}
		c.autoHeld = false
		t.held = true
		p.sendRefer(c, t, d, done)
	})
}

// transferTo is where a transfers c: the blind transfer's target, or the party of
// the consultation call with the Replaces of its dialog.
func (p *Phone) transferTo(c *call, a *api.TransferArgs) (*transfer, error) {
	if a.ConsultCallID == "" {
		uri, err := p.cfg.SIP.Target(a.Target)
		if err != nil {
			return nil, api.BadArg("target", err.Error())
		}
		return &transfer{target: a.Target, uri: uri}, nil
	}
	cc, err := p.resolve(api.CallRef{CallID: a.ConsultCallID})
	switch {
	case err != nil:
		return nil, err
	case cc == c:
		return nil, api.BadArg("consultCallId", "another call than the one transferred")
	case cc.state != stActive:
		return nil, fmt.Errorf("%w: the consultation call on line %d is %s", ErrCallState, cc.line, cc.state)
	}
	r, ok := cc.dialog.(replacer)
	if !ok {
		return nil, fmt.Errorf("%w: the call on line %d cannot be replaced", ErrCallState, cc.line)
	}
	uri, err := r.ReplacingTarget()
	if err != nil {
		return nil, fmt.Errorf("%w: the consultation call on line %d: %w", ErrCallState, cc.line, err)
	}
	return &transfer{target: cc.peer, uri: uri, consult: cc}, nil
}

// replacer is a dialog another may replace (RFC 3891): *sipstack.Call.
type replacer interface {
	ReplacingTarget() (string, error)
}

// sendRefer sends the REFER in a worker and applies the peer's answer on the actor.
func (p *Phone) sendRefer(c *call, t *transfer, d referrer, done answer) {
	ctx, cancel := context.WithTimeout(p.work, referTimeout)
	p.goWork(func(context.Context) {
		defer cancel()
		err := d.Refer(ctx, t.uri)
		p.post(func() { p.referAnswered(c, t, err, done) })
	})
}

// referAnswered applies the peer's answer to the REFER. A NOTIFY may have overtaken
// it and settled the transfer already.
func (p *Phone) referAnswered(c *call, t *transfer, sipErr error, done answer) {
	if c.transfer != t {
		if sipErr != nil {
			done(nil, transferError(sipErr))
			return
		}
		done(api.Empty{}, nil)
		return
	}
	if sipErr != nil {
		var status *sipstack.StatusError
		code, reason := 0, sipErr.Error()
		if errors.As(sipErr, &status) {
			code, reason = status.Code, status.Reason
		}
		p.log.Info("transfer refused", "call", c.id, "err", sipErr)
		p.endTransfer(c, api.TransferFailed, code, reason)
		done(nil, transferError(sipErr))
		return
	}
	t.timeout = p.after(transferTimeout, func() {
		if c.transfer == t {
			p.endTransfer(c, api.TransferFailed, 0, "no outcome in time")
		}
	})
	p.emitTransfer(c, t, api.TransferTrying, 202, "Accepted")
	done(api.Empty{}, nil)
}

// onTransferProgress takes a NOTIFY of the call's transfer: 1xx is progress, 2xx
// ends our call, anything else (or a subscription ended without a final status)
// fails the transfer.
func (p *Phone) onTransferProgress(sipID string, code int, reason string, final bool) {
	c := p.lines.find(sipID)
	if c == nil || c.transfer == nil || c.state != stActive {
		return
	}
	switch {
	case code == 100 && !final:
		p.emitTransfer(c, c.transfer, api.TransferTrying, code, reason)
	case code < 200 && !final:
		p.emitTransfer(c, c.transfer, api.TransferRinging, code, reason)
	case code >= 200 && code < 300:
		p.endTransfer(c, api.TransferSucceeded, code, reason)
	default:
		p.endTransfer(c, api.TransferFailed, code, reason)
	}
}

// endTransfer reports the outcome of the call's transfer. Success ends the call;
// failure resumes it if it was held for the transfer.
func (p *Phone) endTransfer(c *call, state string, code int, reason string) {
	t := c.transfer
	c.transfer = nil
	if t.timeout != nil {
		t.timeout()
	}
	p.emitTransfer(c, t, state, code, reason)
	p.log.Info("transfer", "call", c.id, "state", state, "code", code)
	if state == api.TransferSucceeded {
		for _, ended := range []*call{c, t.consult} {
			if ended != nil && ended.state == stActive {
				p.handedOver(ended, t.target, "transferred to ")
			}
		}
		return
	}
	if t.held && c.state == stActive {
		p.changeHold(c, false, func(_ any, err error) {
			if err != nil {
				p.log.Warn("resume after a failed transfer", "call", c.id, "err", err)
			}
		})
	}
}

func (p *Phone) emitTransfer(c *call, t *transfer, state string, code int, reason string) {
	p.bus.Emit(api.EvCallTransfer, api.TransferEvent{
		Line: c.line, CallID: c.id, Target: t.target, State: state, Code: code, Reason: reason,
	})
}

// transferError says why the REFER failed: the peer refused it (the error keeps its
// *sipstack.StatusError), did not answer in time, or the dialog could not carry it.
func transferError(err error) error {
	var refused *sipstack.StatusError
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("%w: %d %s", ErrTransferRefused, refused.Code, refused.Reason)
	case errors.Is(err, sipstack.ErrCallState), errors.Is(err, sipstack.ErrCallEnded):
		return fmt.Errorf("%w: REFER: %w", ErrCallState, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: REFER: no answer in time", ErrTransferRefused)
	}
	return fmt.Errorf("%w: REFER: %w", ErrSignalling, err)
}

// handedOver ends c, which a transfer handed over to party: our transfer's target
// answered, we carried out the peer's, or an INVITE with Replaces took its place.
// The end cause's reason is how, followed by party; the history keeps party.
func (p *Phone) handedOver(c *call, party, how string) {
	c.transferredTo = party
	p.apply(c, inTransferred, 0, how+party)
}

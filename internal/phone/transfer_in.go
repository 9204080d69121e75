package phone

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// Being transferred: the peer's REFER of an active call asks us to call its target.
// Settings.TransferIncoming decides: refuse answers 603; accept answers 202 and
// dials the target on a line of its own (auto-hold holds the call referred, as for
// any dial); ask answers 202 and asks the page (call.referred), which accepts or
// declines with call.referral within referAskTimeout. Our NOTIFYs tell the peer how
// the call to the target goes (100 Trying, 180 Ringing, then its final status); once
// the target answered, the referred call ends with cause transferred.

// referAskTimeout is how long the page has to answer a call.referred.
const referAskTimeout = 30 * time.Second

// notifyTimeout bounds one NOTIFY of a referral's progress.
const notifyTimeout = 10 * time.Second

// referee is a dialog whose peer may transfer it: *sipstack.Call.
type referee interface {
	AnswerRefer(accept bool)
	NotifyRefer(ctx context.Context, code int, reason string, final bool) error
}

// referral is the peer's REFER of one of our calls, being carried out.
type referral struct {
	target  string        // the Refer-To URI
	cancel  func()        // ends the page's time to answer (ask), nil otherwise
	ringing bool          // 180 was notified
	sent    chan struct{} // closed once the last NOTIFY queued is answered; they go in order
}

// onReferred takes the peer's REFER of the call sipID.
func (p *Phone) onReferred(sipID, target string) {
	c := p.lines.find(sipID)
	if c == nil {
		return
	}
	d, ok := c.dialog.(referee)
	if !ok {
		return
	}
	policy := p.settings.TransferIncoming
	switch {
	case c.state != stActive || c.referral != nil || c.transfer != nil || policy == api.TransferRefuse:
		p.log.Info("REFER declined", "call", c.id, "state", c.state, "policy", policy)
		d.AnswerRefer(false)
		return
	}
	d.AnswerRefer(true)
	r := &referral{target: target, sent: doneChan()}
	c.referral = r
	p.log.Info("REFER accepted", "call", c.id, "policy", policy)
	if policy != api.TransferAsk {
		p.followReferral(c, r)
		return
	}
	r.cancel = p.after(referAskTimeout, func() {
		if c.referral == r {
			p.declineReferral(c, "no answer in time")
		}
	})
	p.bus.Emit(api.EvCallReferred, api.Referred{Line: c.line, CallID: c.id, Target: target})
}

// answerReferral runs call.referral: the page's answer to a call.referred.
func (p *Phone) answerReferral(a *api.ReferralArgs) (api.Empty, error) {
	c, err := p.resolve(a.CallRef)
	if err != nil {
		return api.Empty{}, err
	}
	r := c.referral
	if r == nil || r.cancel == nil {
		return api.Empty{}, fmt.Errorf("%w: no transfer of the call on line %d waits for an answer", ErrCallState, c.line)
	}
	r.cancel()
	r.cancel = nil
	if !a.Accept {
		p.declineReferral(c, "declined")
		return api.Empty{}, nil
	}
	p.followReferral(c, r)
	return api.Empty{}, nil
}

// declineReferral tells the peer its REFER will not be carried out.
func (p *Phone) declineReferral(c *call, why string) {
	p.log.Info("transfer declined", "call", c.id, "why", why)
	r := c.referral
	c.referral = nil
	p.notifyReferral(c, r, 603, "Declined", true, nil)
}

// followReferral dials the REFER's target on a line of its own.
func (p *Phone) followReferral(c *call, r *referral) {
	p.notifyReferral(c, r, 100, "Trying", false, nil)
	p.dialCall(referDial(r.target), func(nc *call) { nc.referredBy = c }, func(_ any, err error) {
		if err != nil && c.referral == r {
			p.log.Info("transfer target not dialled", "call", c.id, "err", err)
			c.referral = nil
			p.notifyReferral(c, r, 503, "Service Unavailable", true, nil)
		}
	})
}

// referDial is the call to a Refer-To URI: its address, and the Replaces header it
// embeds (an attended transfer, RFC 3891) as a header of the INVITE. Other embedded
// headers are dropped.
func referDial(target string) *api.DialArgs {
	base, headers, found := strings.Cut(target, "?")
	a := &api.DialArgs{To: base}
	if !found {
		return a
	}
	for _, h := range strings.Split(headers, "&") {
		name, value, _ := strings.Cut(h, "=")
		if !strings.EqualFold(name, "Replaces") {
			continue
		}
		if v, err := url.QueryUnescape(value); err == nil && v != "" {
			a.Headers = map[string]string{"Replaces": v}
		}
	}
	return a
}

// referralProgress reports a change of nc, the call to a REFER's target, to the
// peer that sent the REFER: ringing, answered (the referred call then ends) or
// failed (the referred call stays).
func (p *Phone) referralProgress(nc *call) {
	c := nc.referredBy
	r := c.referral
	if r == nil || c.state != stActive {
		return
	}
	switch nc.state {
	case stRinging, stEarly:
		if !r.ringing {
			r.ringing = true
			p.notifyReferral(c, r, 180, "Ringing", false, nil)
		}
	case stActive:
		c.referral = nil
		p.notifyReferral(c, r, 200, "OK", true, func() {
			if c.state == stActive {
				p.handedOver(c, r.target, "transferred by the peer to ")
			}
		})
	case stEnded:
		c.referral = nil
		code, reason := 487, "Request Terminated"
		if cause := nc.cause; cause != nil && cause.Code >= 300 {
			code, reason = cause.Code, cause.Reason
		}
		p.notifyReferral(c, r, code, reason, true, nil)
	}
}

// notifyReferral sends a NOTIFY of c's referral r on a worker, after the ones queued
// before it; then, when not nil, runs on the actor once it is answered.
func (p *Phone) notifyReferral(c *call, r *referral, code int, reason string, final bool, then func()) {
	d, ok := c.dialog.(referee)
	if !ok {
		return
	}
	prev, sent := r.sent, make(chan struct{})
	r.sent = sent
	p.goWork(func(ctx context.Context) {
		defer close(sent)
		select {
		case <-prev:
		case <-ctx.Done():
			return
		}
		ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
		defer cancel()
		if err := d.NotifyRefer(ctx, code, reason, final); err != nil {
			p.log.Info("transfer NOTIFY", "call", c.id, "code", code, "err", err)
		}
		if then != nil {
			p.post(then)
		}
	})
}

// doneChan returns a closed channel: nothing to wait for.
func doneChan() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

package phone

import (
	"github.com/wpservice/wpservice/internal/api"
)

// decide applies the call policies to the INVITE in (policy.go).
func (p *Phone) decide(in Incoming) verdict {
	return decide(p.settings.Policies, p.settings.AutoAnswer, arrival{
		from: in.From, fromUser: in.FromUser, busy: p.busy(), hints: in.AnswerHints,
	})
}

// busy reports whether a call is up: answered and not ended.
func (p *Phone) busy() bool {
	up := false
	p.lines.each(func(c *call) { up = up || c.state == stActive })
	return up
}

// turnAway refuses or forwards the INVITE in on line when v says so, and
// reports whether it did. The call is never announced as ringing: its one
// call.state says it ended, with cause refused and the policy, or forwarded
// and the target, so that the user's history shows it as a missed call.
// A forwarding target that makes no SIP URI is logged and the call rings.
func (p *Phone) turnAway(in Incoming, line int, v verdict) bool {
	target := ""
	switch v.outcome {
	case ringIt:
		return false
	case forwardIt:
		uri, err := p.cfg.SIP.Target(v.target)
		if err != nil {
			p.log.Warn("forwarding target unusable: the call rings", "sip_call_id", in.Dialog.CallID(), "target", v.target, "err", err)
			return false
		}
		target = uri
	}
	c := p.newCall(line, false, in.Dialog)
	c.peer, c.peerUser, c.peerName = in.From, in.FromUser, in.FromName
	c.preparing = false
	switch v.outcome {
	case forwardIt:
		c.forwardTo = target
		p.apply(c, inForward, 302, target)
	case refuseIt:
		c.rejectCode = v.code
		p.apply(c, inRefuse, v.code, v.reason)
	}
	return true
}

// ringPolicy starts what the policies decided for a call that rings: its
// auto-answer, at once or after the delay the caller asked for, and its ring
// timeout, after which it is forwarded on no answer, or refused without a target.
func (p *Phone) ringPolicy(c *call) {
	v := c.policy
	switch {
	case v.autoAnswer && v.answerAfter == 0:
		p.log.Info("auto-answer", "call", c.id)
		p.answerCall(c)
		return
	case v.autoAnswer:
		c.cancelRing = p.after(v.answerAfter, func() {
			p.log.Info("auto-answer", "call", c.id, "after", v.answerAfter)
			p.answerCall(c)
		})
		return
	case v.noAnswer > 0:
		c.cancelRing = p.after(v.noAnswer, func() { p.noAnswer(c) })
	}
}

// noAnswer ends a call still ringing after the ring timeout: forwarded on no
// answer when a target is set, else refused with 480.
func (p *Phone) noAnswer(c *call) {
	if c.state != stRinging {
		return
	}
	if c.policy.target != "" {
		if uri, err := p.cfg.SIP.Target(c.policy.target); err == nil {
			c.forwardTo = uri
			p.apply(c, inForward, 302, uri)
			return
		}
	}
	c.rejectCode = 480
	p.apply(c, inRefuse, 480, api.RefusedNoAnswer)
}

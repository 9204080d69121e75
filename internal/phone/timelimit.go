package phone

import "github.com/wpservice/wpservice/internal/api"

// The settings' time limits (Mizu's ringtimeoutout and calltimeout): an outgoing
// call that rings for RingTimeoutOut is cancelled, a call that lasted CallTimeout
// since it was answered is hung up, both with api.CauseTimeout. A limit is a timer
// of the actor, armed when the call is placed or answered and stopped when the
// call is answered or ends; a change of the setting applies to the calls placed
// or answered after it.

// maxCallTimeout bounds callTimeout: a day.
const maxCallTimeout = 86400 // seconds

// limitRing arms the ring limit of an outgoing call just placed.
func (p *Phone) limitRing(c *call) {
	if d := p.settings.RingTimeoutOut; d > 0 {
		c.cancelLimit = p.after(d, func() { p.timeLimit(c, api.TimeoutRing) })
	}
}

// limitCall arms the talk-time limit of a call just answered, in place of its
// ring limit.
func (p *Phone) limitCall(c *call) {
	c.stopLimit()
	if d := p.settings.CallTimeout; d > 0 {
		c.cancelLimit = p.after(d, func() { p.timeLimit(c, api.TimeoutCall) })
	}
}

// timeLimit ends c for the limit named: a ring limit only while the call has not
// been answered.
func (p *Phone) timeLimit(c *call, limit string) {
	c.cancelLimit = nil
	if c.state == stEnded || (limit == api.TimeoutRing && c.state == stActive) {
		return
	}
	p.log.Info("time limit", "call", c.id, "limit", limit)
	if _, err := p.apply(c, inTimeLimit, 0, limit); err != nil {
		p.log.Warn("time limit", "call", c.id, "err", err)
	}
}

// stopLimit stops the call's armed limit, if any.
func (c *call) stopLimit() {
	if c.cancelLimit != nil {
		c.cancelLimit()
		c.cancelLimit = nil
	}
}

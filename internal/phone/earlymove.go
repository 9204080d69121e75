package phone

// A network change while a call of ours still rings. Its RTP socket is on the
// address that went away, so its answer would carry audio nowhere. A call with
// early media whose offer/answer a reliable provisional response completed, from
// a peer that allows UPDATE, is moved at once: a new RTP socket and an UPDATE in
// the early dialog offering it (RFC 3311 section 5.1; the stack's MoveMedia sends
// an UPDATE while the call is unanswered). Any other ringing call has no way to
// carry a new offer before its answer (an unreliable 183's answer is not final;
// a peer that does not list UPDATE must not get one; a 180 has no media to move),
// so it is marked netStale and moved once answered, with the re-INVITE an active
// call gets; so is one whose early UPDATE failed. With sip.onNetworkChange "end" a
// ringing call is not moved: it is cancelled at once, with cause network_changed
// (netchange.go).

// ringingOut reports whether c is a call of ours sent and not yet answered.
func (c *call) ringingOut() bool {
	return c.outgoing && c.dialog != nil && (c.state == stDialing || c.state == stRinging || c.state == stEarly)
}

// movesEarly reports whether the ringing call c is moved at once, with an early
// UPDATE: it has early media and the engine moves calls rather than ending them.
func (p *Phone) movesEarly(c *call) bool {
	return c.state == stEarly && !p.cfg.EndCallsOnNetworkChange
}

// earlyMoveFailed takes a move that began while c rang and did not happen (the
// dialog had no early dialog that takes an UPDATE, or the UPDATE failed): the new
// stream is given up and c moved once answered, at once if it was answered
// meanwhile. A failed UPDATE leaves the early session as it was, so the call goes
// on.
func (p *Phone) earlyMoveFailed(c *call, stream Stream, err error) {
	stream.Close()
	c.netStale = true
	p.log.Info("no early move: the call moves once answered", "call", c.id, "err", err)
	p.followAnswered(c)
}

// followAnswered moves c, once active, if the network changed while it rang.
func (p *Phone) followAnswered(c *call) {
	if c.state == stActive && c.netStale && !c.moving && c.pendingHold == nil {
		p.followNetwork()
	}
}

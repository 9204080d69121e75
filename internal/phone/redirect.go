package phone

// A call of ours redirected (a 3xx the stack follows) to a target that another
// local address routes to: the RTP socket opened where the first target's route
// led would be unreachable from the new target's network, so the redirected
// INVITE must offer media on the new address. The stack, which follows the 3xx,
// asks for that offer through the Reoffer callback given to Dial, on the call's
// own goroutine, and the phone answers it as prepareDial does a new call: a new
// RTP socket on that address and its STUN exchange off the actor, then, on the
// actor, the stream swapped into the call (the old one closed) and the offer
// built. A call that ended meanwhile keeps nothing, and the stack its old offer.

// reofferFor is the Reoffer of c's INVITE, dialled as plan says.
func (p *Phone) reofferFor(c *call, plan dialPlan) func(ip string) []byte {
	return func(ip string) []byte {
		stream, err := p.cfg.Media(ip)
		if err != nil {
			p.log.Warn("redirect: no RTP on the new target's address", "call", c.id, "ip", ip, "err", err)
			return nil
		}
		if awaitReady(p.work, stream) != nil {
			stream.Close() // the engine stopped
			return nil
		}
		offer := make(chan []byte, 1)
		if !p.post(func() { offer <- p.redirectMedia(c, plan, ip, stream) }) {
			stream.Close()
			return nil
		}
		select {
		case body := <-offer:
			return body
		case <-p.done:
			return nil
		}
	}
}

// redirectMedia moves c, redirected to a target that ip routes to, onto stream
// (opened on ip) and returns the offer of it; nil, with stream closed, when c
// ended meanwhile. Early media of the target that redirected stops.
func (p *Phone) redirectMedia(c *call, plan dialPlan, ip string, stream Stream) []byte {
	if c.state == stEnded {
		stream.Close()
		return nil
	}
	if c.mediaOn {
		c.mediaOn = false
		p.updatePump()
	}
	old := c.stream
	c.stream, c.localIP, c.remoteSDP = stream, ip, nil
	if old != nil {
		old.Close()
	}
	offer := withCrypto(p.withCN(localDesc(ip, stream, plan.codecs, dtmfPayloadType, true, p.settings.Ptime)), plan.crypto, plan.savp)
	c.ourMux, c.ourCN = offer.RTCPMux, offer.CNPT != 0
	p.log.Info("redirected: media moves to the new target's address", "call", c.id, "ip", ip)
	return buildSDP(offer)
}

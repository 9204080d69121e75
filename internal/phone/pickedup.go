package phone

import (
	"cmp"
	"log/slog"
)

// Being picked up (RFC 3891 section 7.1): while our call rings at a phone, a PBX's
// directed pickup or a colleague's phone sends us an INVITE with Replaces naming our
// early dialog with that phone, the stack having checked that it is ours. The new
// dialog takes the call over: the same call, id and line, now with the party that
// picked it up (CallState.PickedUpBy), answered at once with its media; the INVITE
// that rang is cancelled (section 3). A pickup whose offer we cannot take is refused
// and the call goes on ringing.

// ringingReplaced is our call still ringing that in replaces, or nil.
func (p *Phone) ringingReplaced(in Incoming) *call {
	if in.Replaces == "" {
		return nil
	}
	c := p.lines.find(in.Replaces)
	if c == nil || !c.outgoing || c.preparing || c.dialog == nil || c.pickedUpBy != "" {
		return nil
	}
	switch c.state {
	case stDialing, stRinging, stEarly:
		return c
	}
	return nil
}

// pickedUp hands c, our ringing call, over to in, the INVITE replacing its early
// dialog: the ringing INVITE is cancelled, its early media stops, and in is answered
// once its RTP is ready.
func (p *Phone) pickedUp(c *call, in Incoming) {
	log := p.log.With("call", c.id, "line", c.line, "sip_call_id", c.sipID, "by", in.From)
	if len(in.SDP) == 0 {
		log.Info("pickup refused: its INVITE has no offer")
		in.Dialog.Reject(488, "Not Acceptable Here")
		return
	}
	n, err := p.negotiate(p.accountOf(c), in.SDP, nil)
	if err != nil {
		log.Info("pickup refused: unacceptable offer", "err", err)
		in.Dialog.Reject(488, "Not Acceptable Here")
		return
	}
	ip := cmp.Or(in.LocalIP, p.cfg.SIP.LocalIP(in.From))
	stream, err := p.cfg.Media(ip)
	if err != nil {
		log.Warn("pickup refused: rtp", "err", err)
		in.Dialog.Reject(500, "Server Internal Error")
		return
	}
	log.Info("call picked up")
	p.sendHangup(c.dialog, log) // CANCEL: the ringing INVITE's answer is now ignored
	p.closeEarlyMedia(c, log)
	c.dialog, c.sipID = in.Dialog, in.Dialog.CallID()
	c.stream, c.localIP, c.media, c.remoteSDP, c.crypto = stream, ip, n, in.SDP, nil
	c.peer, c.peerUser, c.peerName = in.From, in.FromUser, in.FromName
	c.pickedUpBy = in.From
	// the digits dialled after the number were for the party that rang, not for
	// whoever picked its call up (a PIN after ",,"): none is sent
	c.dtmfSuffix = ""
	if c.cancelDTMF != nil {
		c.cancelDTMF()
		c.cancelDTMF = nil
	}
	p.whenReady(c, func() { p.answerPickup(c, log) })
}

// closeEarlyMedia closes the stream c had for the ringing party's early media.
func (p *Phone) closeEarlyMedia(c *call, log *slog.Logger) {
	if c.stream == nil {
		return
	}
	if c.mediaOn {
		c.mediaOn = false
		p.updatePump()
	}
	if err := c.stream.Close(); err != nil {
		log.Debug("close early media", "err", err)
	}
}

// answerPickup answers the INVITE that picked c up, and c becomes active with it.
func (p *Phone) answerPickup(c *call, log *slog.Logger) {
	p.punch(c, c.media.remote)
	p.answerOffer(c)
	if err := c.dialog.Answer(c.localSDP); err != nil {
		log.Warn("pickup failed: send 200", "err", err)
		p.apply(c, inFailed, 0, "pickup: "+err.Error())
		return
	}
	p.apply(c, inAnswered, 200, "picked up")
}

package phone

import "log/slog"

// A delayed offer (RFC 3261 section 13.2.1, RFC 3264 section 5): an INVITE
// without SDP. The call rings as any other; our 200 carries our offer, made as
// for a call we dial (every codec of the account, telephone-event, rtcp-mux,
// SRTP keys by the account's policy), and the caller's answer comes in the
// ACK. The media starts from that answer, as an outgoing call's does from its
// 2xx; an ACK without a usable answer ends the call with BYE.

// offerer reports whether we made the offer of c's first exchange: we dialled
// it (and no pickup took it over, whose INVITE made the offer: pickedup.go), or
// its INVITE had no SDP. The peer's SDP is then an answer, negotiated
// against our crypto lines.
func (c *call) offerer() bool { return (c.outgoing && c.pickedUpBy == "") || c.delayedOffer }

// onDelayedOffer takes an incoming INVITE without SDP on line: it opens RTP
// toward the caller and rings once it is ready, as the call policies said (v).
func (p *Phone) onDelayedOffer(in Incoming, line int, v verdict, log *slog.Logger) {
	ip := in.LocalIP
	if ip == "" {
		ip = p.cfg.SIP.LocalIP(in.From)
	}
	stream, err := p.cfg.Media(ip)
	if err != nil {
		log.Warn("incoming call rejected: rtp", "err", err)
		in.Dialog.Reject(500, "Server Internal Error")
		return
	}
	c := p.newCall(line, false, in.Dialog)
	c.account = p.accountID(in.Account)
	c.stream, c.localIP, c.delayedOffer, c.policy = stream, ip, true, v
	c.peer, c.peerUser, c.peerName = in.From, in.FromUser, in.FromName
	p.whenReady(c, func() { p.ring(c) })
}

// offerInAnswer makes the offer our 200 to c's INVITE without SDP carries.
func (p *Phone) offerInAnswer(c *call) {
	crypto, savp, err := cryptoOffer(p.accountOf(c))
	if err != nil {
		p.log.Warn("delayed offer: srtp keys", "call", c.id, "err", err)
	}
	offer := withCrypto(p.withCN(localDesc(c.localIP, c.stream, offerCodecs(p.accountOf(c).Codecs), dtmfPayloadType, true, p.settings.Ptime)), crypto, savp)
	c.crypto, c.localSDP, c.ourMux, c.ourCN = crypto, buildSDP(offer), offer.RTCPMux, offer.CNPT != 0
}

// onAnswerInAck takes the answer the ACK carried to the offer our 200 made, in
// c's first exchange (a delayed offer) or in a re-INVITE without SDP: media
// that cannot carry the call ends it with BYE; else the media starts from the
// answer (startMedia punches toward it) or follows it as a re-INVITE's would.
func (p *Phone) onAnswerInAck(sipID string, sdp []byte, remoteHeld bool) {
	c := p.lines.find(sipID)
	if c == nil || c.state != stActive {
		return
	}
	if _, err := p.negotiate(p.accountOf(c), sdp, c.crypto); err != nil {
		p.log.Info("call ended: unusable answer in the ACK", "call", c.id, "err", err)
		p.apply(c, mediaInput(err), 0, "ACK: "+err.Error())
		return
	}
	if !c.delayedOffer || c.mediaOn {
		p.remoteUpdate(c, sdp, remoteHeld)
		return
	}
	c.remoteSDP = sdp
	if err := p.startMedia(c); err != nil {
		p.log.Warn("media", "call", c.id, "err", err)
		p.apply(c, inFailed, 0, "media: "+err.Error())
		return
	}
	c.remoteHeld = remoteHeld
	p.holdChanged(c) // reports the call: its codec and encryption are known now
}

// onBadAnswer ends a call whose ACK had no usable answer to our offer (the
// stack's BadAnswer), with BYE.
func (p *Phone) onBadAnswer(sipID, reason string) {
	c := p.lines.find(sipID)
	if c == nil || c.state != stActive {
		return
	}
	p.log.Info("call ended: no usable answer in the ACK", "call", c.id, "reason", reason)
	p.apply(c, inNoMedia, 0, reason)
}

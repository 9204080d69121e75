package phone

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/codec"
	"github.com/wpservice/wpservice/internal/media"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// dtmfPayloadType is the dynamic payload type we offer for telephone-event/8000;
// dtmf48PayloadType for telephone-event/48000 beside Opus in an offer with
// codecs at both rates.
const (
	dtmfPayloadType   = 101
	dtmf48PayloadType = 102
)

// negotiated is the outcome of SDP offer/answer for a call.
type negotiated struct {
	remote *net.UDPAddr
	rtcp   *net.UDPAddr // where RTCP goes without rtcp-mux: a=rtcp (RFC 3605), else the next port
	codec  sipstack.Codec
	fmtp   string          // the peer's format parameters for codec: how it wants to receive
	dtmfPT uint8           // the peer's telephone-event at codec's clock rate, else at 8000
	dtmf48 bool            // dtmfPT is telephone-event/48000
	srtp   *media.SRTP     // the SRTP keys; nil for plain RTP
	crypto sipstack.Crypto // our crypto line that srtp sends with
	savp   bool            // the peer's m= line is RTP/SAVP or RTP/SAVPF
	avpf   bool            // the peer's profile has RTCP feedback (RTP/AVPF, RTP/SAVPF): an answer keeps it
	mux    bool            // the peer's SDP says a=rtcp-mux: RTCP on the RTP port
	ptime  time.Duration   // the packet time the peer wants to receive (a=ptime, a=maxptime)
	cnPT   uint8           // the peer's comfort noise, on the chosen codec's clock; used where our SDP named it (silence.go)
	layout sipstack.Layout // the peer's m= lines: an answer refuses all but the audio stream with port 0
}

// localDesc describes our media on stream, opened at ip, for an offer or answer: at
// the public address STUN learned for it when there is one (behind a NAT, where the
// peer's RTP must go), else at ip and its local port. dtmfPT is the telephone-event
// payload type to put in it (0: none); mux offers rtcp-mux, or accepts it; ptime is
// the packet time we want to receive (a=ptime; zero: 20 ms). a=maxptime names the
// longest packets the stream plays, media.MaxPacketTime (60 ms), whatever the
// codec: Opus may carry 120 ms (RFC 7587 §6.1), which the engine does not take.
//
// RTCP goes on the RTP port when both sides say a=rtcp-mux (RFC 5761), as every
// offer of ours proposes: then the one public address STUN learned serves RTCP
// too. For a peer that does not take it, a=rtcp names the public address STUN
// learned for the RTCP socket, which a NAT need not have put on the next port
// (RFC 3605); without one, RTCP is on the next port, as ever.
func localDesc(ip string, stream Stream, codecs []sipstack.Codec, dtmfPT uint8, mux bool, ptime time.Duration) sipstack.MediaDesc {
	at := mediaAddr(ip, stream)
	d := sipstack.MediaDesc{IP: at.Addr().String(), Port: int(at.Port()), Codecs: codecs, DTMFPT: dtmfPT,
		Direction: "sendrecv", RTCPMux: mux, Fmtp: formatParams(codecs), Ptime: int(ptime / time.Millisecond),
		MaxPtime: int(media.MaxPacketTime / time.Millisecond)}
	if dtmfPT != 0 && slices.ContainsFunc(codecs, func(c sipstack.Codec) bool { return c.Rate == 48000 }) {
		// Opus: telephone-event at its clock rate (RFC 4733 section 2.1), and
		// at 8000 for peers that pair only that one with every codec. An
		// answer keeps the one negotiated (answerOffer).
		d.DTMF48PT = dtmf48PayloadType
	}
	if rtcp := stream.PublicRTCPAddr(); rtcp.IsValid() && stream.PublicAddr().IsValid() {
		d.RTCPIP, d.RTCPPort = rtcp.Addr().String(), int(rtcp.Port())
	}
	return d
}

// mediaAddr is where the peer's RTP must go for stream, opened at ip: the public
// address STUN learned for it, else ip and its local port.
func mediaAddr(ip string, stream Stream) netip.AddrPort {
	if public := stream.PublicAddr(); public.IsValid() {
		return public
	}
	addr, _ := netip.ParseAddr(ip)
	return netip.AddrPortFrom(addr, uint16(stream.LocalPort()))
}

// withCrypto returns d carrying SDES crypto lines, in the RTP/SAVP profile
// when savp is set.
func withCrypto(d sipstack.MediaDesc, crypto []sipstack.Crypto, savp bool) sipstack.MediaDesc {
	d.Crypto, d.SAVP = crypto, savp
	return d
}

// offerCodecs turns the account's codec names into SDP codecs, in order.
func offerCodecs(names []string) []sipstack.Codec {
	var out []sipstack.Codec
	for _, n := range names {
		f, ok := codec.Lookup(n)
		if !ok {
			continue
		}
		out = append(out, sipstack.Codec{PT: f.PT, Name: f.Name, Rate: f.ClockRate})
	}
	return out
}

// formatParams are our a=fmtp lines for codecs, by their payload types (the
// peer's in an answer); nil when none has any.
func formatParams(codecs []sipstack.Codec) map[uint8]string {
	var out map[uint8]string
	for _, c := range codecs {
		if f, ok := codec.Lookup(c.Name); ok && f.Fmtp != "" {
			if out == nil {
				out = map[uint8]string{}
			}
			out[c.PT] = f.Fmtp
		}
	}
	return out
}

func buildSDP(d sipstack.MediaDesc) []byte {
	return sipstack.BuildSDP(rand.Uint64N(1<<62), 1, d)
}

// buildAnswer renders our answer d to an offer whose m= lines are layout: the
// lines other than its audio stream are refused with port 0, in their order.
func buildAnswer(d sipstack.MediaDesc, layout sipstack.Layout) []byte {
	return sipstack.BuildSDPLayout(rand.Uint64N(1<<62), 1, d, layout)
}

// negotiate picks the codec from the peer's SDP (an offer, or the answer to our offer)
// by acc's order of preference, and the SRTP keys by acc's policy: ours are
// the crypto lines we sent, none for an offer not yet answered (negotiateSRTP).
// acc is the account of the call (accountOf).
func (p *Phone) negotiate(acc account.Account, sdp []byte, ours []sipstack.Crypto) (negotiated, error) {
	d, layout, err := sipstack.ParseSDPLayout(sdp)
	if err != nil {
		return negotiated{}, err
	}
	if d.DTLS {
		return negotiated{}, errDTLS
	}
	chosen, dtmf, err := sipstack.Negotiate(d, acc.Codecs)
	if err != nil {
		return negotiated{}, err
	}
	ip := net.ParseIP(d.IP)
	if ip == nil || d.Port <= 0 || d.Port > 65535 {
		return negotiated{}, fmt.Errorf("sdp: bad media address %q port %d", d.IP, d.Port)
	}
	n := negotiated{remote: &net.UDPAddr{IP: ip, Port: d.Port}, rtcp: rtcpAddr(d), codec: chosen, fmtp: d.Fmtp[chosen.PT], dtmfPT: dtmf,
		dtmf48: dtmf != 0 && dtmf == d.DTMF48PT, savp: d.SAVP,
		avpf: d.Feedback, mux: d.RTCPMux, layout: layout, ptime: packetTime(d), cnPT: comfortNoise(d, chosen)}
	if err := negotiateSRTP(&n, d, ours, acc.Encryption()); err != nil {
		return negotiated{}, err
	}
	return n, nil
}

// rtcpAddr is where the peer of d takes RTCP without rtcp-mux: its a=rtcp (RFC
// 3605), else its RTP address and the next port.
func rtcpAddr(d sipstack.MediaDesc) *net.UDPAddr {
	host, port := d.RTCPAddr()
	ip := net.ParseIP(host)
	if ip == nil || port <= 0 || port > 65535 {
		return &net.UDPAddr{IP: net.ParseIP(d.IP), Port: d.Port + 1}
	}
	return &net.UDPAddr{IP: ip, Port: port}
}

// startMedia starts (or updates) c's RTP with the negotiated parameters and attaches it
// to the media clock. For calls we made the offer of (outgoing, or a delayed offer) the
// peer's latest SDP is negotiated here, and a new media address of the peer's is
// punched toward at once.
func (p *Phone) startMedia(c *call) error {
	if c.offerer() {
		if len(c.remoteSDP) == 0 {
			if c.mediaOn || c.delayedOffer {
				return nil // 2xx without SDP after early media: keep what we have; a delayed offer's answer comes in the ACK
			}
			return errNoAnswer
		}
		n, err := p.negotiate(p.accountOf(c), c.remoteSDP, c.crypto)
		if err != nil {
			return err
		}
		n.cnPT = ourComfortNoise(c, n.cnPT)
		if !sameAddr(n.remote, c.media.remote) {
			p.punch(c, n.remote)
		}
		c.media = n
	}
	cdc, err := codec.New(c.media.codec.Name, c.media.fmtp)
	if err != nil {
		return err
	}
	c.codec = cdc.Name()
	err = c.stream.Start(MediaParams{
		Remote:          c.media.remote,
		RemoteRTCP:      c.media.rtcp,
		Codec:           cdc,
		PayloadType:     c.media.codec.PT,
		DTMFPayloadType: c.media.dtmfPT,
		CNPayloadType:   ourComfortNoise(c, c.media.cnPT),
		SRTP:            c.media.srtp,
		RTCPMux:         c.media.mux,
		PacketTime:      c.media.ptime,
		OnDTMF: func(digit rune, d time.Duration) {
			p.post(func() { p.onDTMF(c, digit, d) })
		},
	})
	if err != nil {
		return err
	}
	if !c.mediaOn {
		c.mediaOn = true
		p.updatePump()
	}
	return nil
}

// punch sends the empty datagram that opens a NAT's mapping from c's RTP port toward
// remote, the peer's media address, before either side's first RTP (Stream.Punch):
// for an incoming call before it rings, for an outgoing one as soon as early media or
// the answer names the address. Without it, behind a port-restricted NAT, the peer's
// first packets find no mapping and are dropped.
func (p *Phone) punch(c *call, remote *net.UDPAddr) {
	if err := c.stream.Punch(remote); err != nil {
		p.log.Debug("rtp: no punch toward the peer's media", "call", c.id, "remote", remote, "err", err)
	}
}

// stopMedia takes c off the media clock and closes its stream.
func (p *Phone) stopMedia(c *call) {
	c.keepFinalStats()
	c.mediaOn = false
	p.updatePump()
	if c.stream == nil {
		return // hung up before its RTP was open
	}
	if err := c.stream.Close(); err != nil {
		p.log.Debug("close media", "call", c.id, "err", err)
	}
}

// onRedirected reports an outgoing call that a 3xx (code) sent on to target: the
// call, still unanswered, now goes to that peer.
func (p *Phone) onRedirected(sipID string, code int, target string) {
	c := p.lines.find(sipID)
	if c == nil || c.state == stEnded {
		return
	}
	c.peer, c.peerUser, c.sipCode = target, uriUser(target), code
	p.log.Info("redirected", "call", c.id, "line", c.line, "code", code, "to", target)
	p.bus.Emit(api.EvCallState, c.public())
}

// uriUser returns the user part of a SIP URI, or the URI when it has none.
func uriUser(uri string) string {
	s := uri
	if i := strings.IndexByte(s, ':'); i >= 0 && (strings.HasPrefix(s, "sip:") || strings.HasPrefix(s, "sips:")) {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		return s[:i]
	}
	return s
}

// Incoming describes a new incoming INVITE.
type Incoming struct {
	// Account is the SIP port's id of the account the call is for: "" the default.
	Account  string
	Dialog   Dialog
	From     string
	FromUser string
	FromName string
	SDP      []byte
	LocalIP  string // our address toward the caller's media, for our SDP and RTP ("": toward From)
	Replaces string // the SIP Call-ID of the call this one replaces (RFC 3891), or ""
	// AnswerHints are the INVITE's Call-Info, Answer-Mode and Alert-Info, "Name:
	// value": a caller's request to be answered at once (policy.go).
	AnswerHints []string
}

// onIncoming takes a new incoming call: a free line, an acceptable offer, RTP; once
// the RTP socket knows its public address, it rings (ring).
func (p *Phone) onIncoming(in Incoming) {
	log := p.log.With("sip_call_id", in.Dialog.CallID(), "from", in.From)
	if p.stopping {
		in.Dialog.Reject(503, "Service Unavailable")
		return
	}
	if c := p.ringingReplaced(in); c != nil {
		p.pickedUp(c, in) // pickedup.go
		return
	}
	replaced := p.endReplaced(in) // the line of the call it replaces (replaces.go), 0: none
	if in.Replaces != "" && replaced == 0 {
		// the stack found the call it names, which has since ended or changed (a
		// second pickup, a hang-up before the CANCEL): not a new call (RFC 3891 section 3)
		log.Info("incoming call with Replaces refused: the call it names is gone", "replaces", in.Replaces)
		in.Dialog.Reject(481, "Call/Transaction Does Not Exist")
		return
	}
	line := p.lines.alloc(replaced)
	if line == 0 {
		log.Info("incoming call rejected: all lines busy")
		in.Dialog.Reject(486, "Busy Here")
		return
	}
	v := p.decide(in)
	if p.turnAway(in, line, v) {
		return
	}
	if len(in.SDP) == 0 {
		p.onDelayedOffer(in, line, v, log)
		return
	}
	n, err := p.negotiate(p.incomingAccount(in), in.SDP, nil)
	if err != nil {
		log.Info("incoming call rejected: unacceptable offer", "err", err)
		in.Dialog.Reject(488, "Not Acceptable Here")
		return
	}
	ip := in.LocalIP
	if ip == "" {
		ip = p.cfg.SIP.LocalIP(in.From) // the stack did not say: the address toward the caller
	}
	stream, err := p.cfg.Media(ip)
	if err != nil {
		log.Warn("incoming call rejected: rtp", "err", err)
		in.Dialog.Reject(500, "Server Internal Error")
		return
	}
	c := p.newCall(line, false, in.Dialog)
	c.account = p.accountID(in.Account)
	c.stream, c.localIP = stream, ip
	c.peer, c.peerUser, c.peerName = in.From, in.FromUser, in.FromName
	c.media, c.policy = n, v
	c.replacing = replaced != 0
	p.whenReady(c, func() { p.ring(c) })
}

// ring takes an incoming call whose RTP is ready to the user: it punches toward
// the caller's media and makes our answer (or, to an INVITE without SDP, our
// offer), announces the call and rings; the call policies may answer it by
// itself or end it after the ring timeout.
func (p *Phone) ring(c *call) {
	if c.delayedOffer {
		p.offerInAnswer(c) // delayedoffer.go
	} else {
		p.punch(c, c.media.remote)
		p.answerOffer(c)
	}
	p.log.Info("incoming call", "call", c.id, "line", c.line, "sip_call_id", c.sipID, "from", c.peer)
	p.announce(c)
	p.apply(c, inRing, 0, "")
	if c.replacing {
		p.answerCall(c)
	} else {
		p.ringPolicy(c) // policyact.go: auto-answer, the ring timeout
	}
}

// answerOffer makes our answer to c's offer, negotiated into c.media: its codec, the
// caller's telephone-event number (or none), our key when SRTP was agreed, rtcp-mux
// when offered, the offer's profile, and its other m= lines refused with port 0.
func (p *Phone) answerOffer(c *call) {
	n := c.media
	answer := localDesc(c.localIP, c.stream, []sipstack.Codec{n.codec}, n.dtmfPT, n.mux, p.settings.Ptime)
	answer.DTMFPT, answer.DTMF48PT = n.dtmfPT, 0
	if n.dtmf48 {
		answer.DTMFPT, answer.DTMF48PT = 0, n.dtmfPT
	}
	answer.Feedback = n.avpf
	if p.suppressSilence() {
		answer.CNPT = n.cnPT // only where offered (silence.go)
	}
	if n.srtp != nil {
		c.crypto = []sipstack.Crypto{n.crypto}
		answer = withCrypto(answer, c.crypto, n.savp)
	}
	c.localSDP, c.ourMux, c.ourCN = buildAnswer(answer, n.layout), answer.RTCPMux, answer.CNPT != 0
}

// onCallEvent feeds a SIP happening for the call with SIP Call-ID sipID.
func (p *Phone) onCallEvent(sipID string, in input, code int, reason string, sdp []byte) {
	c := p.lines.find(sipID)
	if c == nil {
		return // a late response for a call that already ended
	}
	if len(sdp) > 0 {
		c.remoteSDP = sdp
	}
	in, reason = p.screenAnswer(c, in, reason)
	if _, err := p.apply(c, in, code, reason); err != nil {
		p.log.Debug("sip input ignored", "call", c.id, "input", in, "state", c.state, "code", code)
	}
	p.followAnswered(c) // the network changed while it rang (earlymove.go)
}

// packetTime is the packet time d's sender wants to receive: its a=ptime (20
// ms when it names none), no longer than its a=maxptime.
func packetTime(d sipstack.MediaDesc) time.Duration {
	ms := cmp.Or(d.Ptime, 20)
	if d.MaxPtime > 0 {
		ms = min(ms, d.MaxPtime)
	}
	return time.Duration(ms) * time.Millisecond
}

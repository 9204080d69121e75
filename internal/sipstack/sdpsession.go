package sipstack

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Holding reports whether the sender of this description puts the other side
// on hold: it will not receive media (a=sendonly or a=inactive), or it uses
// the old RFC 2543 form, a connection address of 0.0.0.0, or it disables the
// stream with port 0 (RFC 3264 section 8.2).
func (m MediaDesc) Holding() bool {
	if m.Direction == DirSendOnly || m.Direction == DirInactive || m.Port == 0 {
		return true
	}
	ip := net.ParseIP(m.IP)
	return ip != nil && ip.IsUnspecified()
}

// holdDirection is the direction of our media description for the two hold
// flags (RFC 3264 section 8.4, RFC 6337 section 5.3).
func holdDirection(held, remoteHeld bool) string {
	switch {
	case held && remoteHeld:
		return DirInactive
	case held:
		return DirSendOnly
	case remoteHeld:
		return DirRecvOnly
	}
	return DirSendRecv
}

// A direction as two bits: whether its owner sends and whether it receives.
const (
	dirSend = 1 << iota
	dirRecv
)

// dirBits returns a direction's bits; an unknown one is inactive.
func dirBits(name string) int {
	switch name {
	case DirSendRecv:
		return dirSend | dirRecv
	case DirSendOnly:
		return dirSend
	case DirRecvOnly:
		return dirRecv
	}
	return 0
}

// dirName returns the direction of bits.
func dirName(bits int) string {
	switch bits {
	case dirSend | dirRecv:
		return DirSendRecv
	case dirSend:
		return DirSendOnly
	case dirRecv:
		return DirRecvOnly
	}
	return DirInactive
}

// answerDirection narrows the direction we want to one compatible with the
// offer (RFC 3264 section 6.1): we send only what the offerer receives and
// receive only what it sends. An offer at 0.0.0.0 receives nothing.
func answerDirection(want string, offer MediaDesc) string {
	theirs := dirBits(offer.Direction)
	if ip := net.ParseIP(offer.IP); ip != nil && ip.IsUnspecified() {
		theirs &^= dirRecv
	}
	allowed := 0
	if theirs&dirRecv != 0 {
		allowed |= dirSend
	}
	if theirs&dirSend != 0 {
		allowed |= dirRecv
	}
	return dirName(dirBits(want) & allowed)
}

// sdpSession is our side of a call's offer/answer exchanges: the media we
// offer (address, port, codecs), the o= line's session id and version, the
// body we sent last, the peer's last description and the two hold flags. It
// does no I/O; Call guards it with its mutex.
type sdpSession struct {
	ok         bool // base holds a description we built; false for a late offer
	base       MediaDesc
	layout     Layout // the m= lines of our last SDP: the audio stream and those refused
	sessID     uint64
	version    uint64
	body       []byte // the last SDP we sent
	remote     MediaDesc
	hasRemote  bool
	held       bool // the peer accepted our hold
	remoteHeld bool // the peer's last offer holds us
}

// setLocal takes the first SDP we send in the call (offer or answer).
func (s *sdpSession) setLocal(sdp []byte) {
	s.body = sdp
	md, layout, err := ParseSDPLayout(sdp)
	if err != nil {
		return
	}
	id, ver, err := parseOrigin(sdp)
	if err != nil {
		return
	}
	s.ok, s.base, s.layout, s.sessID, s.version = true, md, layout, id, ver
}

// setRemote records the peer's description from its offer or answer. An
// unparseable body leaves the previous one in place.
func (s *sdpSession) setRemote(sdp []byte) {
	if md, err := ParseSDP(sdp); err == nil {
		s.remote, s.hasRemote = md, true
	}
}

// codecsFor restricts our codecs to those in the peer's description, with the
// peer's payload types, in our order. Telephone-event stays when both have it.
func (s *sdpSession) codecsFor(peer MediaDesc) ([]Codec, uint8) {
	out, dtmf, _, _ := s.formatsFor(peer)
	return out, dtmf
}

// formatsFor is codecsFor with telephone-event/48000 too, and our format
// parameters under the peer's payload types.
func (s *sdpSession) formatsFor(peer MediaDesc) (out []Codec, dtmf, dtmf48 uint8, fmtp map[uint8]string) {
	for _, ours := range s.base.Codecs {
		for _, theirs := range peer.Codecs {
			if strings.EqualFold(ours.Name, theirs.Name) && ours.Rate == theirs.Rate {
				out = append(out, theirs)
				if f := s.base.Fmtp[ours.PT]; f != "" {
					if fmtp == nil {
						fmtp = map[uint8]string{}
					}
					fmtp[theirs.PT] = f
				}
				break
			}
		}
	}
	if s.base.DTMFPT != 0 {
		dtmf = peer.DTMFPT
	}
	if s.base.DTMF48PT != 0 {
		dtmf48 = peer.DTMF48PT
	}
	return out, dtmf, dtmf48, fmtp
}

// cnFor is the peer's comfort noise payload type when ours had one too: CN
// only where both sides said it (RFC 3389 section 4), else 0.
func (s *sdpSession) cnFor(peer MediaDesc) uint8 {
	if s.base.CNPT == 0 {
		return 0
	}
	return peer.CNPT
}

// build renders md in layout with the session id, bumping the version only
// when the body differs from the last one we sent (RFC 3264 section 8).
func (s *sdpSession) build(md MediaDesc, layout Layout) ([]byte, uint64) {
	body := BuildSDPLayout(s.sessID, s.version, md, layout)
	if bytes.Equal(body, s.body) {
		return body, s.version
	}
	return BuildSDPLayout(s.sessID, s.version+1, md, layout), s.version + 1
}

// offer renders the re-INVITE body that puts the call on hold (hold true) or
// takes it off. The session is not changed until commitOffer.
func (s *sdpSession) offer(hold bool) ([]byte, uint64, error) {
	if !s.ok {
		return nil, 0, fmt.Errorf("%w: no SDP of ours to re-offer", ErrCallState)
	}
	md := s.base
	if s.hasRemote {
		if codecs, dtmf, dtmf48, fmtp := s.formatsFor(s.remote); len(codecs) > 0 {
			md.Codecs, md.DTMFPT, md.DTMF48PT, md.Fmtp = codecs, dtmf, dtmf48, fmtp
			md.CNPT = s.cnFor(s.remote)
		}
	}
	md.Direction = holdDirection(hold, s.remoteHeld)
	body, ver := s.build(md, s.layout) // every m= line again, the refused ones with port 0
	return body, ver, nil
}

// commitOffer records an offer the peer accepted with answer.
func (s *sdpSession) commitOffer(body []byte, ver uint64, hold bool, answer []byte) {
	s.body, s.version, s.held = body, ver, hold
	if len(answer) > 0 {
		s.setRemote(answer)
	}
}

// answer renders our answer to an offer in a re-INVITE from the peer and
// records it, with the peer's hold state. ErrBadSDP and ErrNoCommonCodec mean
// the re-INVITE is answered with 488 and nothing changes. The answer has the
// offer's m= lines; an audio stream the offer disables with port 0 is
// disabled in the answer too (RFC 3264 section 6), and a DTLS-SRTP one is
// refused.
func (s *sdpSession) answer(offer []byte) ([]byte, error) {
	if !s.ok {
		return nil, fmt.Errorf("%w: no SDP of ours to answer with", ErrCallState)
	}
	peer, layout, err := ParseSDPLayout(offer)
	if err != nil {
		return nil, err
	}
	if peer.DTLS {
		return nil, fmt.Errorf("%w: DTLS-SRTP", ErrBadSDP)
	}
	codecs, dtmf, dtmf48, fmtp := s.formatsFor(peer)
	if len(codecs) == 0 {
		return nil, ErrNoCommonCodec
	}
	md := s.base
	md.Codecs, md.DTMFPT, md.DTMF48PT, md.Fmtp = codecs, dtmf, dtmf48, fmtp
	md.CNPT = s.cnFor(peer)
	if c, ok := answerCrypto(s.base.Crypto, peer.Crypto); ok {
		md.Crypto = []Crypto{c}
	}
	md.RTCPMux = s.base.RTCPMux && peer.RTCPMux // accepted only where offered (RFC 5761 section 5.1.1)
	remoteHeld := peer.Holding()
	md.Direction = answerDirection(holdDirection(s.held, false), peer)
	if peer.Port == 0 {
		md.Port = 0
	}
	body, ver := s.build(md, layout)
	s.body, s.version, s.remote, s.hasRemote, s.remoteHeld = body, ver, peer, true, remoteHeld
	s.layout = layout
	return body, nil
}

// answerCrypto is the one crypto line of our answer to a re-offer (RFC 4568
// section 5.1.2): our line of the offered suite with the same tag, else with the
// offered line's tag, so that we keep sending with our key while the peer's new
// offer may carry a new key of its own (section 7.1.4) or number its lines anew.
// The phone pairs the lines the same way. ok is false when no line of ours is
// of an offered suite: the answer then keeps the lines it had.
func answerCrypto(ours, offered []Crypto) (Crypto, bool) {
	for _, sameTag := range []bool{true, false} {
		for _, o := range offered {
			for _, c := range ours {
				if c.Suite == o.Suite && (c.Tag == o.Tag || !sameTag) {
					c.Tag = o.Tag
					return c, true
				}
			}
		}
	}
	return Crypto{}, false
}

// answerInAck takes the peer's answer carried in the ACK of an INVITE or
// re-INVITE without SDP, for which our 200 made the offer (our last body). An
// answer with none of our codecs, or that refuses the stream (port 0), is not
// usable (ErrNoCommonCodec).
func (s *sdpSession) answerInAck(answer []byte) error {
	peer, err := ParseSDP(answer)
	if err != nil {
		return err
	}
	if codecs, _ := s.codecsFor(peer); len(codecs) == 0 || peer.Port == 0 {
		return ErrNoCommonCodec
	}
	s.remote, s.hasRemote = peer, true
	if !s.held {
		// Our offer was sendrecv or recvonly: a sendonly or inactive answer
		// is the peer holding us. While we hold, the answer tells nothing.
		s.remoteHeld = peer.Holding()
	}
	return nil
}

// parseOrigin reads the session id and version of an SDP body's o= line.
func parseOrigin(sdp []byte) (id, version uint64, err error) {
	for line := range strings.Lines(string(sdp)) {
		val, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "o=")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 6 {
			break
		}
		id, err1 := strconv.ParseUint(f[1], 10, 64)
		ver, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			break
		}
		return id, ver, nil
	}
	return 0, 0, fmt.Errorf("%w: no usable o= line", ErrBadSDP)
}

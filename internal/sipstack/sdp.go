package sipstack

import (
	"bytes"
	"cmp"
	"fmt"
	"net"
	"strings"
)

// Codec is one RTP payload format of an audio stream.
type Codec struct {
	PT   uint8
	Name string // encoding name as in rtpmap, e.g. "PCMU"
	Rate int    // clock rate in Hz
}

// MediaDesc is the audio part of an SDP body.
type MediaDesc struct {
	IP       string  // connection address
	Port     int     // RTP port; 0 means the stream is rejected
	Codecs   []Codec // in the order of the m= line, telephone-event excluded
	DTMFPT   uint8   // payload type of telephone-event/8000; 0 means none
	DTMF48PT uint8   // payload type of telephone-event/48000 (beside Opus); 0 means none
	// CNPT is the payload type of comfort noise at 8000 Hz (CN/8000, RFC 3389;
	// static 13): the silence of a codec on that clock. 0 means none, and then
	// no CN may be sent to the description's owner (RFC 3389 section 4).
	CNPT uint8
	// Fmtp are the a=fmtp format parameters by payload type: in a parsed
	// description the peer's, in ours what we ask of the peer's sending.
	// telephone-event's are not kept here.
	Fmtp      map[uint8]string
	Direction string // sendrecv, sendonly, recvonly or inactive

	// Ptime and MaxPtime are a=ptime and a=maxptime (RFC 4566 §6), in
	// milliseconds: the packet time the description's sender wants to
	// receive, and the longest it takes (RFC 3264 §6.1). A zero Ptime is the
	// usual 20 ms (a=ptime:20, or none: a peer that names none is sent 20
	// ms); a zero MaxPtime is none.
	Ptime, MaxPtime int

	// SAVP is an m= line in the RTP/SAVP profile (SRTP only, RFC 3711);
	// false is RTP/AVP, which may still carry keys. Crypto are its a=crypto
	// lines (RFC 4568) that we can use, in their order; parsing drops the
	// others.
	SAVP   bool
	Crypto []Crypto

	// Feedback is an AVPF profile (RTP/AVPF, RTP/SAVPF: RFC 4585); an answer
	// keeps the offer's profile. DTLS is DTLS-SRTP (UDP/TLS/RTP/SAVP[F]: RFC
	// 5764), which we do not speak: such a stream is refused, never answered
	// in plain RTP.
	Feedback bool
	DTLS     bool

	// RTCPMux is a=rtcp-mux (RFC 5761): RTCP travels on the RTP port. In an
	// offer it proposes that, in an answer it accepts it.
	RTCPMux bool

	// RTCPPort and RTCPIP are a=rtcp (RFC 3605): where RTCP goes when it does not
	// go to the next port above RTP, on the connection address unless RTCPIP
	// names another. 0 is the next port; rtcp-mux, when agreed, overrides both.
	RTCPPort int
	RTCPIP   string
}

// RTCPAddr is where the stream's RTCP goes without rtcp-mux: a=rtcp's port and
// address, else the connection address and the next port above RTP.
func (m MediaDesc) RTCPAddr() (ip string, port int) {
	ip, port = m.IP, m.Port+1
	if m.RTCPPort != 0 {
		port = m.RTCPPort
	}
	if m.RTCPIP != "" {
		ip = m.RTCPIP
	}
	return ip, port
}

// Directions of a media stream.
const (
	DirSendRecv = "sendrecv"
	DirSendOnly = "sendonly"
	DirRecvOnly = "recvonly"
	DirInactive = "inactive"
)

// staticCodecs are the RTP/AVP payload types that need no rtpmap (RFC 3551), by
// payload type. An array, not a map: the linker lays it out, where a map would be
// built at every start of the engine.
var staticCodecs = [...]Codec{
	0:  {PT: 0, Name: "PCMU", Rate: 8000},
	3:  {PT: 3, Name: "GSM", Rate: 8000},
	4:  {PT: 4, Name: "G723", Rate: 8000},
	8:  {PT: 8, Name: "PCMA", Rate: 8000},
	9:  {PT: 9, Name: "G722", Rate: 8000},
	18: {PT: 18, Name: "G729", Rate: 8000},
}

// staticCNPT is comfort noise's static payload type, CN/8000 (RFC 3389
// section 4): no codec of its own, so not in staticCodecs.
const staticCNPT = 13

// staticCodec returns the codec of a static payload type.
func staticCodec(pt uint8) (Codec, bool) {
	if int(pt) < len(staticCodecs) && staticCodecs[pt].Name != "" {
		return staticCodecs[pt], true
	}
	return Codec{}, false
}

const maxSDPSize = 64 << 10

// BuildSDP renders an SDP offer or answer with one audio stream. DTMFPT 0
// leaves out telephone-event; an empty Direction means sendrecv.
func BuildSDP(sessID uint64, version uint64, m MediaDesc) []byte {
	return BuildSDPLayout(sessID, version, m, Layout{})
}

// BuildSDPLayout is BuildSDP for an answer to an offer with more than one m=
// line: the audio stream in l.Index's place, every other line of l refused
// with port 0, in the offer's order (RFC 3264 section 6). The zero Layout is
// the audio stream alone.
func BuildSDPLayout(sessID uint64, version uint64, m MediaDesc, l Layout) []byte {
	ipVer := "IP4"
	if strings.Contains(m.IP, ":") {
		ipVer = "IP6"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "v=0\r\no=- %d %d IN %s %s\r\ns=wpservice\r\nc=IN %s %s\r\nt=0 0\r\n",
		sessID, version, ipVer, m.IP, ipVer, m.IP)
	if len(l.Lines) == 0 {
		writeAudio(&b, m)
		return b.Bytes()
	}
	for i, line := range l.Lines {
		if i == l.Index {
			writeAudio(&b, m)
			continue
		}
		line.refuse(&b)
	}
	return b.Bytes()
}

// writeAudio renders the audio stream's m= line and attributes.
func writeAudio(b *bytes.Buffer, m MediaDesc) {
	dir := m.Direction
	if dir == "" {
		dir = DirSendRecv
	}
	fmt.Fprintf(b, "m=audio %d %s", m.Port, m.profile())
	for _, c := range m.Codecs {
		fmt.Fprintf(b, " %d", c.PT)
	}
	if m.DTMFPT != 0 {
		fmt.Fprintf(b, " %d", m.DTMFPT)
	}
	if m.DTMF48PT != 0 {
		fmt.Fprintf(b, " %d", m.DTMF48PT)
	}
	if m.CNPT != 0 {
		fmt.Fprintf(b, " %d", m.CNPT)
	}
	b.WriteString("\r\n")
	for _, c := range m.Codecs {
		fmt.Fprintf(b, "a=rtpmap:%d %s/%d%s\r\n", c.PT, c.Name, c.Rate, channels(c))
		if f := m.Fmtp[c.PT]; f != "" {
			fmt.Fprintf(b, "a=fmtp:%d %s\r\n", c.PT, f)
		}
	}
	if m.DTMFPT != 0 {
		fmt.Fprintf(b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", m.DTMFPT, m.DTMFPT)
	}
	if m.DTMF48PT != 0 {
		fmt.Fprintf(b, "a=rtpmap:%d telephone-event/48000\r\na=fmtp:%d 0-16\r\n", m.DTMF48PT, m.DTMF48PT)
	}
	if m.CNPT != 0 {
		fmt.Fprintf(b, "a=rtpmap:%d CN/8000\r\n", m.CNPT)
	}
	for _, c := range m.Crypto {
		fmt.Fprintf(b, "a=%s\r\n", c.line())
	}
	writeRTCP(b, m)
	if m.RTCPMux {
		b.WriteString("a=rtcp-mux\r\n")
	}
	fmt.Fprintf(b, "a=ptime:%d\r\n", cmp.Or(m.Ptime, defaultPtime))
	if m.MaxPtime > 0 {
		fmt.Fprintf(b, "a=maxptime:%d\r\n", m.MaxPtime)
	}
	fmt.Fprintf(b, "a=%s\r\n", dir)
}

// channels is rtpmap's encoding parameters: Opus is always named with two
// channels (RFC 7587 section 7), whatever is sent.
func channels(c Codec) string {
	if strings.EqualFold(c.Name, "opus") {
		return "/2"
	}
	return ""
}

// profile is the transport profile of m's m= line.
func (m MediaDesc) profile() string {
	switch {
	case m.SAVP && m.Feedback:
		return ProtoSAVPF
	case m.SAVP:
		return ProtoSAVP
	case m.Feedback:
		return ProtoAVPF
	}
	return ProtoAVP
}

// ParseSDP extracts the audio stream we would use from an SDP body (see
// ParseSDPLayout): its connection address (media level over session level),
// port, transport profile, codecs (rtpmap, or the static table for payload
// types without one), telephone-event/8000, usable a=crypto lines, a=rtcp-mux
// and direction (media level over session level, default sendrecv).
func ParseSDP(b []byte) (MediaDesc, error) {
	md, _, err := ParseSDPLayout(b)
	return md, err
}

// ParseSDPLayout is ParseSDP that also returns the body's m= lines and which
// of them the description is: the first audio stream we can use (a port, an
// RTP profile we speak: not DTLS-SRTP), else the first audio stream, which the
// caller then refuses.
func ParseSDPLayout(b []byte) (MediaDesc, Layout, error) {
	if len(b) > maxSDPSize {
		return MediaDesc{}, Layout{}, fmt.Errorf("%w: body too large", ErrBadSDP)
	}
	p := sdpParser{}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimRight(line, "\r\n")
		if len(line) < 2 || line[1] != '=' {
			continue
		}
		if err := p.line(line[0], line[2:]); err != nil {
			return MediaDesc{}, Layout{}, err
		}
	}
	return p.result()
}

// parseConnection reads "IN IP4 addr[/ttl]" and returns addr.
func parseConnection(val string) (string, error) {
	f := strings.Fields(val)
	if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
		return "", fmt.Errorf("%w: bad c= line", ErrBadSDP)
	}
	addr, _, _ := strings.Cut(f[2], "/")
	if net.ParseIP(addr) == nil {
		return "", fmt.Errorf("%w: bad connection address %q", ErrBadSDP, addr)
	}
	return addr, nil
}

// Negotiate picks the codec to use for an offer: the first of prefs (our
// order, names like "PCMU", "PCMA") that the offer carries, with the offer's
// payload type. dtmfPT is the offer's telephone-event payload type at the
// codec's clock rate (RFC 4733 section 2.1), else at 8000, 0 if none.
// ErrNoCommonCodec means the offer should be answered with 488.
func Negotiate(offer MediaDesc, prefs []string) (Codec, uint8, error) {
	for _, name := range prefs {
		for _, c := range offer.Codecs {
			if strings.EqualFold(c.Name, name) {
				return c, offer.dtmfFor(c), nil
			}
		}
	}
	return Codec{}, 0, ErrNoCommonCodec
}

// dtmfFor is m's telephone-event payload type at c's clock rate, 0 if none.
// Beside Opus a peer that has only telephone-event/8000 (baresip 1.0 pairs it
// with every codec) gets that one: its events then run on the stream's 48 kHz
// clock, as such peers send and read them.
func (m MediaDesc) dtmfFor(c Codec) uint8 {
	if c.Rate == 48000 && m.DTMF48PT != 0 {
		return m.DTMF48PT
	}
	return m.DTMFPT
}

// writeRTCP renders a=rtcp (RFC 3605 section 2.1) where RTCP is not at the
// connection address and the next port above RTP: with the address when that
// differs too. A peer that takes rtcp-mux ignores it (RFC 5761 section 5.1.3).
func writeRTCP(b *bytes.Buffer, m MediaDesc) {
	if m.RTCPPort == 0 || m.Port == 0 || (m.RTCPPort == m.Port+1 && (m.RTCPIP == "" || m.RTCPIP == m.IP)) {
		return
	}
	fmt.Fprintf(b, "a=rtcp:%d", m.RTCPPort)
	if m.RTCPIP != "" && m.RTCPIP != m.IP {
		family := "IP4"
		if strings.Contains(m.RTCPIP, ":") {
			family = "IP6"
		}
		fmt.Fprintf(b, " IN %s %s", family, m.RTCPIP)
	}
	b.WriteString("\r\n")
}

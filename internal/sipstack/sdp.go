package sipstack

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
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
	IP        string  // connection address
	Port      int     // RTP port; 0 means the stream is rejected
	Codecs    []Codec // in the order of the m= line, telephone-event excluded
	DTMFPT    uint8   // payload type of telephone-event/8000; 0 means none
	Direction string  // sendrecv, sendonly, recvonly or inactive

	// SAVP is an m= line in the RTP/SAVP profile (SRTP only, RFC 3711);
	// false is RTP/AVP, which may still carry keys. Crypto are its a=crypto
	// lines (RFC 4568) that we can use, in their order; parsing drops the
	// others.
	SAVP   bool
	Crypto []Crypto

	// RTCPMux is a=rtcp-mux (RFC 5761): RTCP travels on the RTP port. In an
	// offer it proposes that, in an answer it accepts it.
	RTCPMux bool
}

// Directions of a media stream.
const (
	DirSendRecv = "sendrecv"
	DirSendOnly = "sendonly"
	DirRecvOnly = "recvonly"
	DirInactive = "inactive"
)

// staticCodecs are the RTP/AVP payload types that need no rtpmap (RFC 3551).
var staticCodecs = map[uint8]Codec{
	0:  {PT: 0, Name: "PCMU", Rate: 8000},
	3:  {PT: 3, Name: "GSM", Rate: 8000},
	4:  {PT: 4, Name: "G723", Rate: 8000},
	8:  {PT: 8, Name: "PCMA", Rate: 8000},
	9:  {PT: 9, Name: "G722", Rate: 8000},
	18: {PT: 18, Name: "G729", Rate: 8000},
}

const maxSDPSize = 64 << 10

// BuildSDP renders an SDP offer or answer with one audio stream. DTMFPT 0
// leaves out telephone-event; an empty Direction means sendrecv.
func BuildSDP(sessID uint64, version uint64, m MediaDesc) []byte {
	ipVer := "IP4"
	if strings.Contains(m.IP, ":") {
		ipVer = "IP6"
	}
	dir := m.Direction
	if dir == "" {
		dir = DirSendRecv
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "v=0\r\no=- %d %d IN %s %s\r\ns=wpservice\r\nc=IN %s %s\r\nt=0 0\r\n",
		sessID, version, ipVer, m.IP, ipVer, m.IP)
	proto := ProtoAVP
	if m.SAVP {
		proto = ProtoSAVP
	}
	fmt.Fprintf(&b, "m=audio %d %s", m.Port, proto)
	for _, c := range m.Codecs {
		fmt.Fprintf(&b, " %d", c.PT)
	}
	if m.DTMFPT != 0 {
		fmt.Fprintf(&b, " %d", m.DTMFPT)
	}
	b.WriteString("\r\n")
	for _, c := range m.Codecs {
		fmt.Fprintf(&b, "a=rtpmap:%d %s/%d\r\n", c.PT, c.Name, c.Rate)
	}
	if m.DTMFPT != 0 {
		fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", m.DTMFPT, m.DTMFPT)
	}
	for _, c := range m.Crypto {
		fmt.Fprintf(&b, "a=%s\r\n", c.line())
	}
	if m.RTCPMux {
		b.WriteString("a=rtcp-mux\r\n")
	}
	fmt.Fprintf(&b, "a=ptime:20\r\na=%s\r\n", dir)
	return b.Bytes()
}

// sdpParser holds the state of ParseSDP while it walks the lines.
type sdpParser struct {
	sessionIP, sessionDir string
	inAudio, doneAudio    bool
	sawMedia              bool // an m= line of any kind ended the session section
	md                    MediaDesc
	pts                   []uint8
	rtpmap                map[uint8]Codec
}

// ParseSDP extracts the first audio stream of an SDP body: its connection
// address (media level over session level), port, transport profile, codecs
// (rtpmap, or the static table for payload types without one),
// telephone-event/8000, usable a=crypto lines, a=rtcp-mux and direction (media
// level over session level, default sendrecv).
func ParseSDP(b []byte) (MediaDesc, error) {
	if len(b) > maxSDPSize {
		return MediaDesc{}, fmt.Errorf("%w: body too large", ErrBadSDP)
	}
	p := sdpParser{rtpmap: map[uint8]Codec{}}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimRight(line, "\r\n")
		if len(line) < 2 || line[1] != '=' {
			continue
		}
		if err := p.line(line[0], line[2:]); err != nil {
			return MediaDesc{}, err
		}
	}
	return p.result()
}

func (p *sdpParser) line(kind byte, val string) error {
	if kind == 'm' {
		if p.inAudio {
			p.inAudio, p.doneAudio = false, true
		}
		p.sawMedia = true
		if !p.doneAudio && strings.HasPrefix(val, "audio ") {
			return p.mline(val)
		}
		return nil
	}
	inSession := !p.sawMedia
	if !p.inAudio && !inSession {
		return nil // a line of some other media section
	}
	switch kind {
	case 'c':
		ip, err := parseConnection(val)
		if err != nil {
			return err
		}
		if p.inAudio {
			p.md.IP = ip
		} else {
			p.sessionIP = ip
		}
	case 'a':
		p.attribute(val, inSession)
	}
	return nil
}

func (p *sdpParser) mline(val string) error {
	f := strings.Fields(val)
	if len(f) < 4 {
		return fmt.Errorf("%w: short m= line", ErrBadSDP)
	}
	port, err := strconv.Atoi(strings.SplitN(f[1], "/", 2)[0])
	if err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("%w: bad port %q", ErrBadSDP, f[1])
	}
	p.md.Port = port
	p.md.SAVP = f[2] == ProtoSAVP
	for _, s := range f[3:] {
		pt, err := strconv.ParseUint(s, 10, 7)
		if err != nil {
			return fmt.Errorf("%w: bad payload type %q", ErrBadSDP, s)
		}
		p.pts = append(p.pts, uint8(pt))
	}
	p.inAudio = true
	return nil
}

func (p *sdpParser) attribute(val string, inSession bool) {
	switch val {
	case DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive:
		if inSession {
			p.sessionDir = val
		} else {
			p.md.Direction = val
		}
		return
	}
	if inSession {
		return
	}
	if val == "rtcp-mux" {
		p.md.RTCPMux = true
		return
	}
	if rest, ok := strings.CutPrefix(val, "crypto:"); ok {
		if c, ok := parseCrypto(rest); ok {
			p.md.Crypto = append(p.md.Crypto, c)
		}
		return
	}
	rest, ok := strings.CutPrefix(val, "rtpmap:")
	if !ok {
		return
	}
	ptStr, enc, ok := strings.Cut(rest, " ")
	pt, err := strconv.ParseUint(ptStr, 10, 7)
	if !ok || err != nil {
		return
	}
	name, rateStr, _ := strings.Cut(strings.TrimSpace(enc), "/")
	rateStr, _, _ = strings.Cut(rateStr, "/") // drop channel count
	rate, err := strconv.Atoi(rateStr)
	if err != nil || rate <= 0 || name == "" {
		return
	}
	p.rtpmap[uint8(pt)] = Codec{PT: uint8(pt), Name: name, Rate: rate}
}

func (p *sdpParser) result() (MediaDesc, error) {
	if !p.inAudio && !p.doneAudio {
		return MediaDesc{}, fmt.Errorf("%w: no audio stream", ErrBadSDP)
	}
	md := p.md
	if md.IP == "" {
		md.IP = p.sessionIP
	}
	if md.IP == "" {
		return MediaDesc{}, fmt.Errorf("%w: no connection address", ErrBadSDP)
	}
	if md.Direction == "" {
		md.Direction = p.sessionDir
	}
	if md.Direction == "" {
		md.Direction = DirSendRecv
	}
	for _, pt := range p.pts {
		c, ok := p.rtpmap[pt]
		if !ok {
			c, ok = staticCodecs[pt]
		}
		if !ok {
			continue // dynamic payload type without rtpmap: unusable
		}
		if strings.EqualFold(c.Name, "telephone-event") {
			if c.Rate == 8000 && md.DTMFPT == 0 {
				md.DTMFPT = c.PT
			}
			continue
		}
		md.Codecs = append(md.Codecs, c)
	}
	return md, nil
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
// payload type. dtmfPT is the offer's telephone-event payload type, 0 if none.
// ErrNoCommonCodec means the offer should be answered with 488.
func Negotiate(offer MediaDesc, prefs []string) (Codec, uint8, error) {
	for _, name := range prefs {
		for _, c := range offer.Codecs {
			if strings.EqualFold(c.Name, name) {
				return c, offer.DTMFPT, nil
			}
		}
	}
	return Codec{}, 0, ErrNoCommonCodec
}

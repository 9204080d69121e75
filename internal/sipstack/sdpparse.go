package sipstack

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// sdpParser holds the state of ParseSDPLayout while it walks the lines: the
// session level, then one section per m= line. Only audio sections are read
// in full; the others are kept as their m= line, for an answer to refuse them.
type sdpParser struct {
	sessionIP, sessionDir string
	sections              []*sdpSection
}

// sdpSection is one m= line and the attributes under it.
type sdpSection struct {
	line   MLine
	audio  bool // an audio m= line that parsed
	md     MediaDesc
	pts    []uint8
	rtpmap map[uint8]Codec
	fmtps  map[uint8]string // a=fmtp by payload type
}

// current is the section the lines belong to; nil at the session level.
func (p *sdpParser) current() *sdpSection {
	if len(p.sections) == 0 {
		return nil
	}
	return p.sections[len(p.sections)-1]
}

func (p *sdpParser) line(kind byte, val string) error {
	if kind == 'm' {
		return p.mline(val)
	}
	sec := p.current()
	if sec != nil && !sec.audio {
		return nil // a line of some other media section
	}
	switch kind {
	case 'c':
		ip, err := parseConnection(val)
		if err != nil {
			return err
		}
		if sec != nil {
			sec.md.IP = ip
		} else {
			p.sessionIP = ip
		}
	case 'a':
		if sec == nil {
			if isDirection(val) {
				p.sessionDir = val
			}
			return nil
		}
		sec.attribute(val)
	}
	return nil
}

// mline starts a section. An audio m= line must be well formed; another is
// only kept.
func (p *sdpParser) mline(val string) error {
	f := strings.Fields(val)
	sec := &sdpSection{}
	if len(f) >= 3 {
		sec.line = MLine{Media: f[0], Proto: f[2], Formats: strings.Join(f[3:], " ")}
	} else {
		sec.line = MLine{Media: strings.Join(f, " ")}
	}
	p.sections = append(p.sections, sec)
	if len(f) == 0 || f[0] != "audio" {
		return nil
	}
	if len(f) < 4 {
		return fmt.Errorf("%w: short m= line", ErrBadSDP)
	}
	port, err := strconv.Atoi(strings.SplitN(f[1], "/", 2)[0])
	if err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("%w: bad port %q", ErrBadSDP, f[1])
	}
	sec.md.Port = port
	sec.md.SAVP, sec.md.Feedback, sec.md.DTLS = readProfile(f[2])
	for _, s := range f[3:] {
		pt, err := strconv.ParseUint(s, 10, 7)
		if err != nil {
			return fmt.Errorf("%w: bad payload type %q", ErrBadSDP, s)
		}
		sec.pts = append(sec.pts, uint8(pt))
	}
	sec.audio, sec.rtpmap = true, map[uint8]Codec{}
	return nil
}

// readProfile reads a transport profile: SRTP (RTP/SAVP, RTP/SAVPF, RFC 3711),
// RTCP feedback (RTP/AVPF, RTP/SAVPF, RFC 4585), DTLS-SRTP
// (UDP/TLS/RTP/SAVP[F], RFC 5764). An offer in any SRTP profile is never
// answered in plain RTP.
func readProfile(proto string) (savp, feedback, dtls bool) {
	dtls = strings.HasPrefix(proto, "UDP/TLS/")
	rtp := strings.TrimPrefix(proto, "UDP/TLS/")
	return rtp == "RTP/SAVP" || rtp == "RTP/SAVPF", rtp == "RTP/AVPF" || rtp == "RTP/SAVPF", dtls
}

// usableProfile reports whether proto is one we can answer with our RTP.
func usableProfile(proto string) bool {
	switch proto {
	case ProtoAVP, ProtoSAVP, ProtoAVPF, ProtoSAVPF:
		return true
	}
	return false
}

func isDirection(val string) bool {
	switch val {
	case DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive:
		return true
	}
	return false
}

func (sec *sdpSection) attribute(val string) {
	if isDirection(val) {
		sec.md.Direction = val
		return
	}
	if val == "rtcp-mux" {
		sec.md.RTCPMux = true
		return
	}
	if rest, ok := strings.CutPrefix(val, "rtcp:"); ok {
		sec.md.RTCPPort, sec.md.RTCPIP = parseRTCP(rest)
		return
	}
	if rest, ok := strings.CutPrefix(val, "crypto:"); ok {
		if c, ok := parseCrypto(rest); ok {
			sec.md.Crypto = append(sec.md.Crypto, c)
		}
		return
	}
	if rest, ok := strings.CutPrefix(val, "fmtp:"); ok {
		sec.fmtp(rest)
		return
	}
	if rest, ok := strings.CutPrefix(val, "ptime:"); ok {
		if sec.md.Ptime = parseMillis(rest); sec.md.Ptime == defaultPtime {
			sec.md.Ptime = 0
		}
		return
	}
	if rest, ok := strings.CutPrefix(val, "maxptime:"); ok {
		sec.md.MaxPtime = parseMillis(rest)
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
	sec.rtpmap[uint8(pt)] = Codec{PT: uint8(pt), Name: name, Rate: rate}
}

// pick is the index of the audio section to use: the first with a port and a
// profile we speak, else the first audio section; -1 when there is none.
func (p *sdpParser) pick() int {
	first := -1
	for i, sec := range p.sections {
		if !sec.audio {
			continue
		}
		if sec.md.Port != 0 && usableProfile(sec.line.Proto) {
			return i
		}
		if first < 0 {
			first = i
		}
	}
	return first
}

func (p *sdpParser) result() (MediaDesc, Layout, error) {
	i := p.pick()
	if i < 0 {
		return MediaDesc{}, Layout{}, fmt.Errorf("%w: no audio stream", ErrBadSDP)
	}
	sec := p.sections[i]
	md := sec.md
	if md.IP == "" {
		md.IP = p.sessionIP
	}
	if md.IP == "" {
		return MediaDesc{}, Layout{}, fmt.Errorf("%w: no connection address", ErrBadSDP)
	}
	if md.Direction == "" {
		md.Direction = p.sessionDir
	}
	if md.Direction == "" {
		md.Direction = DirSendRecv
	}
	for _, pt := range sec.pts {
		c, ok := sec.rtpmap[pt]
		if !ok {
			c, ok = staticCodec(pt)
		}
		if !ok && pt == staticCNPT {
			c, ok = Codec{PT: pt, Name: "CN", Rate: 8000}, true
		}
		if !ok {
			continue // dynamic payload type without rtpmap: unusable
		}
		if strings.EqualFold(c.Name, "telephone-event") {
			if c.Rate == 8000 && md.DTMFPT == 0 {
				md.DTMFPT = c.PT
			}
			if c.Rate == 48000 && md.DTMF48PT == 0 {
				md.DTMF48PT = c.PT
			}
			continue
		}
		if strings.EqualFold(c.Name, "CN") {
			if c.Rate == 8000 && md.CNPT == 0 {
				md.CNPT = c.PT
			}
			continue // comfort noise is no codec of its own
		}
		md.Codecs = append(md.Codecs, c)
		if f := sec.fmtps[c.PT]; f != "" {
			if md.Fmtp == nil {
				md.Fmtp = map[uint8]string{}
			}
			md.Fmtp[c.PT] = f
		}
	}
	if !slices.ContainsFunc(md.Codecs, func(c Codec) bool { return c.Rate == 48000 }) {
		md.DTMF48PT = 0 // no codec it could go with
	}
	l := Layout{Index: i}
	for _, s := range p.sections {
		l.Lines = append(l.Lines, s.line)
	}
	return md, l, nil
}

// parseRTCP reads the value of a=rtcp (RFC 3605 section 2.1): a port and,
// optionally, "IN IP4 address" or "IN IP6 address". A value it cannot read is
// ignored: RTCP then goes to the next port above RTP.
func parseRTCP(v string) (port int, ip string) {
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0, ""
	}
	p, err := strconv.Atoi(f[0])
	if err != nil || p <= 0 || p > 65535 {
		return 0, ""
	}
	if len(f) == 4 && f[1] == "IN" && (f[2] == "IP4" || f[2] == "IP6") && net.ParseIP(f[3]) != nil {
		ip = f[3]
	}
	return p, ip
}

// fmtp records a=fmtp's format parameters for its payload type (RFC 4566
// section 6): "111 useinbandfec=1;stereo=0".
func (sec *sdpSection) fmtp(rest string) {
	ptStr, params, ok := strings.Cut(rest, " ")
	pt, err := strconv.ParseUint(ptStr, 10, 7)
	if !ok || err != nil {
		return
	}
	if sec.fmtps == nil {
		sec.fmtps = map[uint8]string{}
	}
	sec.fmtps[uint8(pt)] = strings.TrimSpace(params)
}

// defaultPtime is the packet time, in ms, a zero MediaDesc.Ptime stands for.
const defaultPtime = 20

// parseMillis reads a=ptime's or a=maxptime's value, milliseconds that may
// have a fraction ("20", "22.5"), rounded to a whole one; 0 for one it cannot
// read or out of reason (beyond 1 s).
func parseMillis(v string) int {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f <= 0 || f > 1000 {
		return 0
	}
	return int(f + 0.5)
}

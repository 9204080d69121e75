// Package media carries one call's audio over RTP: a UDP socket pair per call
// (RTP on an even port, RTCP on the next, or RTCP on the RTP port when the peer
// agreed to rtcp-mux), encoding and packetizing frames from
// the engine's media clock, an adaptive jitter buffer, decoder and loss
// concealment on the way back, RFC 4733 DTMF both ways, and RTCP sender reports.
//
// Symmetric RTP: many peers sit behind NAT and the address in their SDP is not
// where their packets come from. A Stream therefore sends to the SDP address
// until the first valid packet (a negotiated payload type) arrives, and from then
// on to that packet's source address ("latching"). Each Start latches anew; RTCP
// latches on its own socket the same way.
package media

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
)

// maxPacket bounds a received datagram; larger ones are truncated and rejected.
const maxPacket = 1500

// portPairAttempts bounds the search for a free even/odd port pair.
const portPairAttempts = 64

// Config configures a Stream. Zero values take the documented defaults.
type Config struct {
	LocalIP string       // interface to bind, e.g. "127.0.0.1"; required and explicit
	Logger  *slog.Logger // nil discards

	// STUNServer is the "host:port" of a STUN server (RFC 5389) that Open asks,
	// from the RTP socket, for the stream's public address (PublicAddr); ""
	// asks none. STUNTimeout bounds each of its tries (DefaultSTUNTimeout).
	STUNServer  string
	STUNTimeout time.Duration
	// STUNRTCP makes the RTCP socket ask the STUN server too, at the same time,
	// for its own public address (PublicRTCPAddr): behind a NAT its port is not
	// the RTP port's plus one, and an SDP names it with a=rtcp (RFC 3605) for a
	// peer that does not take rtcp-mux.
	STUNRTCP bool

	JitterTarget int           // playout delay in frames (DefaultJitterTarget)
	JitterMax    int           // jitter buffer capacity in frames (DefaultJitterMax)
	DTMFDuration time.Duration // tone length per sent digit (DefaultDTMFDuration)
	DTMFGap      time.Duration // silence between sent digits, at least MinDTMFGap
	RTCPInterval time.Duration // mean interval between sender reports (DefaultRTCPInterval)
	Now          func() time.Time

	// The bounds, in frames, of the playout delay the jitter buffer adapts to
	// the network (DefaultJitterMinTarget, DefaultJitterMaxTarget); JitterTarget
	// is where it starts.
	JitterMinTarget, JitterMaxTarget int
}

// Params are the negotiated media parameters of a call, from SDP.
type Params struct {
	Remote     *net.UDPAddr // peer RTP address
	RemoteRTCP *net.UDPAddr // peer RTCP address; nil means Remote's port + 1

	// RTCPMux sends RTCP from the RTP socket to the peer's RTP address and takes
	// the RTCP that arrives there (RFC 5761), as both sides agreed in SDP
	// (a=rtcp-mux). The RTCP socket then stays bound but unused.
	RTCPMux bool

	// Codec encodes WriteFrame's and decodes ReadFrame's frames; both run on the
	// media clock's goroutine, so one instance serves both directions.
	Codec       audio.Codec
	PayloadType uint8 // negotiated payload type of Codec

	DTMFPayloadType uint8 // negotiated telephone-event payload type; 0 = none

	// CNPayloadType is the comfort noise payload type both sides took (RFC
	// 3389); 0 = none. With it the stream suppresses silence: a frame the
	// voice activity detector finds silent is not sent, a CN packet stands
	// for the silence (silence.go), and the peer's CN packets are played
	// as noise at their level until its voice resumes (receive.go). Without
	// it no CN is ever sent, and any received is ignored.
	CNPayloadType uint8

	// PacketTime is the audio each packet we send carries: what the peer's
	// a=ptime asks for (RFC 3264 §6.1: the packet time it wants to receive),
	// as PacketTime rounds it for the codec; zero is DefaultPacketTime.
	// Received packets may be of any length.
	PacketTime time.Duration

	// OnDTMF receives each digit from the peer exactly once, in order. It runs on
	// the stream's receive goroutine and must not block.
	OnDTMF func(DTMF)

	// SRTP, when set, protects everything sent and requires everything
	// received to be SRTP/SRTCP with the peer's key; plain packets are then
	// dropped. A later Start with the same keys keeps the SRTP state; one
	// that changes one side's key keeps the other side's.
	SRTP *SRTP
}

// Stream is the RTP/RTCP session of one call. Open binds it, Start (repeatable)
// points it at the peer, the media clock calls WriteFrame and ReadFrame once per
// frame from one goroutine, and Close ends it. SendDTMF, Stats and LastReceived
// may be called from any goroutine.
type Stream struct {
	log   *slog.Logger
	now   func() time.Time
	cfg   Config
	rtp   *net.UDPConn
	rtcp  *net.UDPConn
	ssrc  uint32
	cname string

	// rtpIn reads RTP for the receive goroutine, rtpOut sends it for the media
	// clock, both on rtp (udpio_linux.go).
	rtpIn  *udpReader
	rtpOut *udpWriter

	// public is the RTP socket's address as the STUN server saw it; invalid
	// when none was asked or none answered. It is set before learned closes.
	public  netip.AddrPort
	learned chan struct{}
	// publicRTCP is the RTCP socket's, when Config.STUNRTCP asked for it.
	publicRTCP netip.AddrPort
	// initialTS is the first packet's timestamp, for RTCP sent before any RTP.
	initialTS uint32
	jitter    *JitterBuffer
	dtmfTx    *dtmfSender
	// srtp is the SRTP state of the keys Start was given last; nil for RTP.
	srtp atomic.Pointer[srtpSession]

	mu         sync.Mutex // guards the fields below
	started    bool
	closed     bool
	params     Params
	remote     *net.UDPAddr
	remoteRTCP *net.UDPAddr
	mux        atomic.Bool // params.RTCPMux, for the readers
	latched    bool
	rtcpLatch  bool
	rx         receiveStats
	dtmfRx     dtmfReceiver
	rxTiming   packetTiming
	tx         sendState
	peer       Stats // the Peer* and RTCP fields only
	txSamples  int   // audio per sent packet at the engine's rate; 0: a frame

	// Owned by the media clock goroutine (WriteFrame, ReadFrame).
	seq       uint16
	ts        uint32
	sentAny   bool
	txBuf     []byte
	srtpBuf   []byte     // txBuf protected, when SRTP runs
	srtpHdr   rtp.Header // reused by SRTP, which parses the header again
	payload   []byte
	decoded   []int16
	plc       *audio.PLC   // conceals lost frames of a codec that does not itself
	silence   silenceState // the send side's silence suppression (silence.go)
	talkspurt bool         // the next voice packet opens a talkspurt: the marker
	noise     *audio.NoiseGen
	noiseOn   bool          // the peer's CN said silence: play noise, not concealment
	quiet     bool          // the last frame played was quiet
	level     float64       // its level, in dBFS
	concealed atomic.Uint64 // frames concealed
	cnSent    atomic.Uint64 // comfort noise packets sent
	cnRecv    atomic.Uint64 // and received

	// Packets of other lengths than a frame, also the media clock's: txPCM
	// gathers the audio of a packet longer than a frame; pending is the
	// decoded audio of a received packet not yet played, pendingGood says it
	// was received; rxPacket is the length of the last packet decoded (for
	// Stats). fecDecoded counts the concealed packets decoded from the next packet's
	// FEC.
	txPCM       []int16
	pending     []int16
	pendingGood bool
	rxPacket    atomic.Int64
	fecDecoded  atomic.Uint64

	received     atomic.Uint64
	receivedB    atomic.Uint64
	ignored      atomic.Uint64
	lastReceived atomic.Int64 // unix nanoseconds; 0 = never

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// sendState is what RTCP needs to know about the sent stream.
type sendState struct {
	packets uint64
	octets  uint64
	lastTS  uint32    // RTP timestamp of the last packet sent
	lastAt  time.Time // when it was sent
	rate    int       // its clock rate
}

// Open binds a free RTP/RTCP port pair (even P, odd P+1) on cfg.LocalIP, asks the
// STUN server, if any, for the RTP socket's public address, and starts the receive
// goroutines. Packets arriving before Start are dropped. A STUN server that does
// not answer delays Open by at most its tries' timeouts; the stream then has no
// public address, and says so in the log.
func Open(cfg Config) (*Stream, error) {
	s, err := Bind(cfg)
	if err != nil {
		return nil, err
	}
	<-s.Ready()
	return s, nil
}

// Bind is Open without the wait for the STUN server: it returns once the ports are
// bound, and the RTP socket asks the server in the background, before its reader
// starts. Ready closes once the answer is in, or the tries' timeouts have passed.
func Bind(cfg Config) (*Stream, error) {
	ip, err := netip.ParseAddr(cfg.LocalIP)
	if err != nil || ip.IsUnspecified() {
		return nil, fmt.Errorf("%w: %q", ErrBadLocalIP, cfg.LocalIP)
	}
	rtpConn, rtcpConn, err := listenPair(ip)
	if err != nil {
		return nil, err
	}
	rtpIn, err := newUDPReader(rtpConn)
	var rtpOut *udpWriter
	if err == nil {
		rtpOut, err = newUDPWriter(rtpConn)
	}
	if err != nil {
		rtpConn.Close()
		rtcpConn.Close()
		return nil, fmt.Errorf("media: RTP socket: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RTCPInterval <= 0 {
		cfg.RTCPInterval = DefaultRTCPInterval
	}
	if cfg.STUNTimeout <= 0 {
		cfg.STUNTimeout = DefaultSTUNTimeout
	}
	s := &Stream{
		cfg:     cfg,
		now:     cfg.Now,
		rtp:     rtpConn,
		rtcp:    rtcpConn,
		rtpIn:   rtpIn,
		rtpOut:  rtpOut,
		ssrc:    rand.Uint32(),
		seq:     uint16(rand.Uint32()),
		ts:      rand.Uint32(),
		jitter:  NewJitterBuffer(cfg.JitterTarget, cfg.JitterMax),
		plc:     audio.NewPLC(audio.SampleRate),
		noise:   audio.NewNoiseGen(),
		dtmfTx:  newDTMFSender(cfg.DTMFDuration, cfg.DTMFGap),
		txPCM:   make([]int16, 0, packetSamples(MaxPacketTime)+audio.FrameSamples),
		txBuf:   make([]byte, 0, maxPacket),
		srtpBuf: make([]byte, 0, maxPacket),
		payload: make([]byte, 0, maxPacket),
		done:    make(chan struct{}),
		learned: make(chan struct{}),
	}
	s.jitter.SetTargetBounds(cfg.JitterMinTarget, cfg.JitterMaxTarget)
	s.initialTS = s.ts
	s.cname = fmt.Sprintf("%08x@wpservice", s.ssrc)
	s.log = cfg.Logger.With("component", "media", "ssrc", s.ssrc)
	asking := s.startSTUN()
	s.wg.Add(3)
	go s.readRTPAfterSTUN(asking)
	go s.readRTCPAfterSTUN(asking)
	go s.sendReports()
	s.log.Debug("media stream open", "rtp", rtpConn.LocalAddr().String())
	return s, nil
}

// listenPair binds RTP on an even port and RTCP on the odd port above it.
func listenPair(ip netip.Addr) (*net.UDPConn, *net.UDPConn, error) {
	for range portPairAttempts {
		first, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrNoPortPair, err)
		}
		port := first.LocalAddr().(*net.UDPAddr).Port
		mate := port + 1 // first is RTP, mate RTCP
		if port%2 == 1 {
			mate = port - 1 // first is RTCP, mate RTP
		}
		second, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(mate))))
		if err != nil {
			first.Close()
			continue
		}
		if port%2 == 1 {
			return second, first, nil
		}
		return first, second, nil
	}
	return nil, nil, ErrNoPortPair
}

// LocalPort is the RTP port to announce in SDP; RTCP is on LocalPort()+1.
func (s *Stream) LocalPort() int {
	return s.rtp.LocalAddr().(*net.UDPAddr).Port
}

// PublicAddr is the RTP socket's address as the STUN server saw it (behind a NAT,
// the router's public address and port), to announce in SDP instead of the local
// one; the zero AddrPort when the stream asked no STUN server or had no answer.
// It waits until Ready is closed.
func (s *Stream) PublicAddr() netip.AddrPort {
	<-s.learned
	return s.public
}

// PublicRTCPAddr is the RTCP socket's address as the STUN server saw it, when
// Config.STUNRTCP asked for it; the zero AddrPort otherwise, or when the server
// did not answer. It waits until Ready is closed.
func (s *Stream) PublicRTCPAddr() netip.AddrPort {
	<-s.learned
	return s.publicRTCP
}

// Ready is closed once PublicAddr is known: at once without a STUN server, else
// when the server answered or gave up on (within its tries' timeouts), or when the
// stream is closed.
func (s *Stream) Ready() <-chan struct{} {
	return s.learned
}

// Punch sends one empty datagram from the RTP socket to remote (RFC 6263 §4.1, a
// 0-byte transport packet), so that a NAT in front of us maps the RTP port toward
// the peer before the peer's first packet arrives. Without it a peer that starts
// sending first finds no mapping: a port-restricted NAT drops its packets, and
// may give our RTP another public port than the one STUN learned. The peer's RTP
// stack ignores an empty packet.
func (s *Stream) Punch(remote *net.UDPAddr) error {
	if remote == nil || remote.IP == nil || remote.Port == 0 {
		return fmt.Errorf("%w: no remote address to punch", ErrBadParams)
	}
	_, err := s.rtp.WriteToUDP(nil, remote)
	return err
}

// Start sets or changes the peer and codec. It may be called again, e.g. when the
// final answer replaces early media; the sent stream keeps its SSRC and sequence.
func (s *Stream) Start(p Params) error {
	if p.Remote == nil || p.Remote.IP == nil || p.Remote.Port == 0 || p.Codec == nil || p.Codec.ClockRate() <= 0 {
		return fmt.Errorf("%w: need a remote address and a codec", ErrBadParams)
	}
	remoteRTCP := p.RemoteRTCP
	if remoteRTCP == nil {
		remoteRTCP = &net.UDPAddr{IP: p.Remote.IP, Port: p.Remote.Port + 1, Zone: p.Remote.Zone}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if err := s.setSRTP(p.SRTP); err != nil {
		return err
	}
	s.started = true
	s.params = p
	s.txSamples = 0
	if d := PacketTime(p.Codec, p.PacketTime); d != audio.FrameMillis*time.Millisecond {
		s.txSamples = packetSamples(d)
	}
	s.remote, s.remoteRTCP = cloneAddr(p.Remote), cloneAddr(remoteRTCP)
	s.mux.Store(p.RTCPMux)
	s.latched, s.rtcpLatch = false, false
	if p.DTMFPayloadType == 0 {
		s.dtmfTx.reset()
	}
	s.log.Debug("media start", "remote", p.Remote.String(), "codec", p.Codec.Name(),
		"pt", p.PayloadType, "dtmf_pt", p.DTMFPayloadType, "ptime", PacketTime(p.Codec, p.PacketTime))
	return nil
}

// WriteFrame takes one frame of pcm and sends the packets it completes: the
// frame itself at the default packet time, one every few frames for longer
// packets, two for 10 ms ones. While DTMF is playing it sends the
// telephone-event packet due in the frame's place, and the audio gathered for
// a packet gives way to the digit.
func (s *Stream) WriteFrame(pcm []int16) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if !s.started {
		s.mu.Unlock()
		return ErrNotStarted
	}
	p, remote, per := s.params, s.remote, s.txSamples
	s.mu.Unlock()

	rate := p.Codec.ClockRate()
	frame := uint32(rate * audio.FrameMillis / 1000)
	if ev, ok := s.dtmfTx.next(s.ts, frame, rate); ok {
		s.txPCM = s.txPCM[:0]
		hdr := rtp.Header{PayloadType: p.DTMFPayloadType, Marker: ev.marker, Timestamp: ev.timestamp}
		s.payload = ev.payload.appendTo(s.payload[:0])
		return s.send(hdr, remote, frame, rate)
	}
	if p.CNPayloadType == 0 && s.silence.silent {
		// a re-INVITE took CN away mid-silence: the voice that follows opens a
		// talkspurt all the same (RFC 3551 section 4.1)
		s.silence.silent, s.talkspurt = false, true
	}
	if p.CNPayloadType != 0 {
		if quiet, err := s.suppress(p, remote, pcm, frame, rate); quiet {
			return err
		}
	}
	if per == 0 {
		return s.sendAudio(p, remote, pcm, frame, rate)
	}
	s.txPCM = append(s.txPCM, pcm...)
	in := s.txPCM
	for ; len(in) >= per; in = in[per:] {
		if err := s.sendAudio(p, remote, in[:per], uint32(per*rate/audio.SampleRate), rate); err != nil {
			return err
		}
	}
	s.txPCM = append(s.txPCM[:0], in...)
	return nil
}

// sendAudio encodes pcm and sends it, units of the clock long. The first
// packet of the stream and the first after a silence open a talkspurt: they
// carry the marker (RFC 3551 §4.1).
func (s *Stream) sendAudio(p Params, remote *net.UDPAddr, pcm []int16, units uint32, rate int) error {
	hdr := rtp.Header{PayloadType: p.PayloadType, Marker: !s.sentAny || s.talkspurt, Timestamp: s.ts}
	s.talkspurt = false
	s.payload = p.Codec.Encode(s.payload[:0], pcm)
	return s.send(hdr, remote, units, rate)
}

// send sends s.payload in a packet with hdr's payload type, marker and
// timestamp, and moves the stream's timestamp on by units of its clock.
func (s *Stream) send(hdr rtp.Header, remote *net.UDPAddr, units uint32, rate int) error {
	hdr.Version, hdr.SequenceNumber, hdr.SSRC = 2, s.seq, s.ssrc
	n, err := rtp.MarshalPacketTo(s.txBuf[:cap(s.txBuf)], &hdr, s.payload)
	if err != nil {
		return fmt.Errorf("media: marshal RTP: %w", err)
	}
	sentTS := s.ts
	s.seq++
	s.ts += units
	s.sentAny = true
	out := s.txBuf[:n]
	if sec := s.srtp.Load(); sec != nil {
		if out, err = sec.txRTP.EncryptRTP(s.srtpBuf[:0], out, &s.srtpHdr); err != nil {
			return fmt.Errorf("media: protect RTP: %w", err)
		}
	}
	if err := s.rtpOut.writeTo(out, remote); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return ErrClosed
		}
		return fmt.Errorf("media: send RTP: %w", err)
	}
	s.mu.Lock()
	s.tx.packets++
	s.tx.octets += uint64(len(s.payload))
	s.tx.lastTS, s.tx.lastAt, s.tx.rate = sentTS, s.now(), rate
	s.mu.Unlock()
	return nil
}

// setSRTP takes the SRTP keys of a Start (nil: plain RTP), keeping the state
// of the same keys, and of the direction whose key stays when the other's
// changes. It runs under s.mu.
func (s *Stream) setSRTP(k *SRTP) error {
	if k == nil {
		s.srtp.Store(nil)
		return nil
	}
	cur := s.srtp.Load()
	if cur != nil && cur.keys.equal(k) {
		return nil
	}
	sec, err := newSRTPSession(k, cur)
	if err != nil {
		return err
	}
	s.srtp.Store(sec)
	return nil
}

// Encrypted reports whether the stream runs SRTP.
func (s *Stream) Encrypted() bool {
	return s.srtp.Load() != nil
}

// SendDTMF queues digits (0-9 * # A-D) to be sent as RFC 4733 events by the
// following WriteFrame calls. The whole string is rejected on an invalid digit.
func (s *Stream) SendDTMF(digits string) error {
	s.mu.Lock()
	closed, started, pt := s.closed, s.started, s.params.DTMFPayloadType
	s.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case !started:
		return ErrNotStarted
	case pt == 0:
		return ErrNoDTMF
	}
	events, err := parseDigits(digits)
	if err != nil {
		return err
	}
	s.dtmfTx.enqueue(events)
	return nil
}

// Close sends an RTCP BYE if the stream was started, stops the goroutines and
// closes the sockets. It is idempotent.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		started := s.started
		s.mu.Unlock()
		if started {
			s.sendBye()
		}
		close(s.done)
		s.closeErr = errors.Join(s.rtp.Close(), s.rtcp.Close())
		s.wg.Wait()
		s.log.Debug("media stream closed")
	})
	return s.closeErr
}

func (s *Stream) isDone() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func sameAddr(a, b *net.UDPAddr) bool {
	return a != nil && b != nil && a.Port == b.Port && a.IP.Equal(b.IP)
}

func cloneAddr(a *net.UDPAddr) *net.UDPAddr {
	c := *a
	c.IP = append(net.IP(nil), a.IP...)
	return &c
}

package media

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
)

// ReadFrame fills pcm with the next frame from the jitter buffer and reports
// whether it carries received audio only. Packets need not last a frame: the
// rest of a longer one is kept for the next calls, and as many shorter ones
// are taken as fill the frame.
func (s *Stream) ReadFrame(pcm []int16) bool {
	good, filled := true, 0
	for filled < len(pcm) {
		if len(s.pending) == 0 {
			s.pull()
			if len(s.pending) == 0 {
				clear(pcm[filled:]) // nothing heard yet to conceal with
				good = false
				break
			}
		}
		n := copy(pcm[filled:], s.pending)
		s.pending = s.pending[n:]
		filled += n
		good = good && s.pendingGood
	}
	s.level = audio.DBFS(pcm)
	s.quiet = s.level < quietDBFS
	return good
}

// pull decodes the next packet, or conceals it, into s.pending. A packet that
// did not come is concealed: from the next packet's in-band FEC when the codec
// carries one (Opus) and that packet is in, else by the codec when it
// conceals itself (audio.Concealer), else by pitch repetition (audio.PLC),
// fading to silence over 60 ms. The playout delay moves toward the buffer's
// target only where the audio is quiet: a packet's worth is inserted
// (concealed) after a quiet frame, or a quiet packet dropped.
func (s *Stream) pull() {
	s.mu.Lock()
	codec, pt, cn := s.params.Codec, s.params.PayloadType, s.params.CNPayloadType
	s.mu.Unlock()
	if cn == 0 {
		s.noiseOn = false // a re-INVITE took CN away mid-silence: concealment again
	}

	adjust := s.jitter.Adjust()
	if adjust > 0 && s.quiet {
		s.jitter.Inserted()
		if cn != 0 && !s.noiseOn {
			s.insertNoise()
			return
		}
		s.conceal(codec, pt, false)
		return
	}
	good := s.decodeNext(codec, pt, cn)
	if adjust < 0 && good && isQuiet(s.decoded) {
		s.jitter.Dropped()
		good = s.decodeNext(codec, pt, cn)
	}
	if !good {
		s.conceal(codec, pt, s.jitter.Playing())
		return
	}
	s.pending, s.pendingGood = s.decoded, true
}

// decodeNext pops the next packet and decodes it into s.decoded, reporting
// whether it was audio of the call's codec, or comfort noise (cn, when
// negotiated), which from then on is played until the peer's voice resumes.
func (s *Stream) decodeNext(codec audio.Codec, pt, cn uint8) bool {
	pkt, ok := s.jitter.Pop()
	if !ok || codec == nil {
		return false
	}
	if cn != 0 && pkt.PayloadType == cn {
		return s.startNoise(pkt.Payload)
	}
	if pkt.PayloadType != pt {
		return false
	}
	s.noiseOn = false
	s.decoded = codec.Decode(s.decoded[:0], pkt.Payload)
	s.rxPacket.Store(int64(len(s.decoded)))
	if _, own := codec.(audio.Concealer); !own {
		s.plc.Good(s.decoded)
	}
	return true
}

// fecDecoder is a codec whose packets may carry the frame before them again
// (Opus's in-band FEC, RFC 6716 §2.1.7): DecodeFEC appends that frame, taken
// from next, the packet after the lost one.
type fecDecoder interface {
	DecodeFEC(dst []int16, next []byte) []int16
}

// conceal fills s.pending for a packet that did not come. lost says the
// jitter buffer found it missing while playing: its whole length is
// concealed, from the FEC of the packet after it when that is in. Otherwise
// (the buffer filling up, or a frame inserted) a frame is, so that playout
// resumes as soon as the buffer is ready, whatever the packets' length.
func (s *Stream) conceal(codec audio.Codec, pt uint8, lost bool) {
	if s.noiseOn {
		s.playNoise()
		return
	}
	s.concealed.Add(1)
	s.pendingGood = false
	if f, ok := codec.(fecDecoder); ok && lost {
		if next, ok := s.jitter.Next(); ok && next.PayloadType == pt {
			s.fecDecoded.Add(1)
			s.decoded = f.DecodeFEC(s.decoded[:0], next.Payload)
			s.pending = s.decoded
			return
		}
	}
	if c, own := codec.(audio.Concealer); own {
		s.decoded = c.Conceal(s.decoded[:0])
	} else {
		s.decoded = s.plc.Conceal(s.decoded[:0])
	}
	s.pending = s.decoded
	if !lost {
		s.pending = s.decoded[:min(len(s.decoded), audio.FrameSamples)]
	}
}

// quietDBFS is the level below which a frame is quiet enough to drop or to
// put a frame after without it being heard: a pause between words.
const quietDBFS = -45

func isQuiet(pcm []int16) bool { return audio.DBFS(pcm) < quietDBFS }

// LastReceived is the arrival time of the last accepted RTP packet, or the zero
// time if none arrived yet.
func (s *Stream) LastReceived() time.Time {
	ns := s.lastReceived.Load()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// readRTP is the receive goroutine of the RTP socket.
func (s *Stream) readRTP() {
	defer s.wg.Done()
	var sc rtpScratch
	buf := make([]byte, maxPacket)
	sc.plain = make([]byte, 0, maxPacket)
	for {
		n, src, err := s.rtpIn.read(buf)
		if err != nil {
			if s.isDone() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Debug("RTP read", "err", err)
			continue
		}
		s.takeDatagram(buf[:n], src, &sc)
	}
}

// rtpScratch is the receive goroutine's memory, reused for every datagram so
// that receiving allocates nothing.
type rtpScratch struct {
	plain  []byte     // the datagram decrypted (SRTP), capacity maxPacket
	header rtp.Header // DecryptRTP's parse of its header
}

// takeDatagram takes one datagram read from the RTP socket: RTCP when muxed
// (RFC 5761), else RTP, decrypted first with SRTP.
func (s *Stream) takeDatagram(b []byte, src *net.UDPAddr, sc *rtpScratch) {
	if isRTCP(b) {
		if s.mux.Load() {
			s.takeRTCP(b, sc.plain, src) // RFC 5761: RTCP on the RTP port
		} else {
			s.ignored.Add(1)
		}
		return
	}
	if sec := s.srtp.Load(); sec != nil && len(b) < maxPacket {
		var err error
		if b, err = sec.rxRTP.DecryptRTP(sc.plain[:0], b, &sc.header); err != nil {
			s.ignored.Add(1) // not SRTP with the peer's key, or replayed
			return
		}
	}
	s.handleRTP(b, src)
}

// handleRTP takes one datagram from the RTP socket. src is valid only until the
// next read: what keeps it keeps a copy, as the jitter buffer does of the
// packet. It allocates nothing for a packet of the call.
func (s *Stream) handleRTP(b []byte, src *net.UDPAddr) {
	var pkt rtp.Packet
	if err := readPacket(&pkt, b); err != nil {
		s.ignored.Add(1)
		return
	}
	now := s.now()
	var digits []DTMF
	emit := func(d DTMF) { digits = append(digits, d) }

	s.mu.Lock()
	p := s.params
	isAudio := s.started && pkt.PayloadType == p.PayloadType
	isDTMF := s.started && p.DTMFPayloadType != 0 && pkt.PayloadType == p.DTMFPayloadType
	isCN := s.started && p.CNPayloadType != 0 && pkt.PayloadType == p.CNPayloadType
	if !isAudio && !isDTMF && !isCN {
		s.mu.Unlock()
		s.ignored.Add(1)
		return
	}
	if !s.latched {
		s.latched = true
		if !sameAddr(src, s.remote) {
			s.log.Info("symmetric RTP: sending to the peer's source address", "sdp", s.remote.String(), "source", src.String())
			s.remote = cloneAddr(src)
		}
	}
	rate := p.Codec.ClockRate()
	if s.rx.started && pkt.SSRC != s.rx.ssrc {
		s.dtmfRx = dtmfReceiver{}
	}
	// A CN packet is timed as audio is: its timestamp is where the silence
	// it stands for begins (RFC 3389 section 4).
	transit, timed := s.rx.update(pkt.SequenceNumber, pkt.SSRC, pkt.Timestamp, now, rate, isAudio || isCN)
	var packetFrames float64
	switch {
	case isAudio:
		packetFrames = s.rxTiming.update(pkt.SequenceNumber, pkt.Timestamp, pkt.Marker, rate)
		s.dtmfRx.audio(pkt.Timestamp, rate, emit)
	case isDTMF:
		if ev, err := parseDTMFPayload(pkt.Payload); err == nil {
			s.dtmfRx.handle(pkt.Timestamp, ev, rate, emit)
		}
	case isCN:
		s.cnRecv.Add(1)
	}
	s.mu.Unlock()

	s.received.Add(1)
	s.receivedB.Add(uint64(len(pkt.Payload)))
	s.lastReceived.Store(now.UnixNano())
	if packetFrames > 0 {
		s.jitter.SetPacketFrames(packetFrames)
	}
	if frame := rate * audio.FrameMillis / 1000; timed && frame > 0 {
		s.jitter.PutTransit(&pkt, float64(transit)/float64(frame))
	} else {
		s.jitter.Put(&pkt)
	}
	if p.OnDTMF != nil {
		for _, d := range digits {
			p.OnDTMF(d)
		}
	}
}

// readPacket parses an RTP datagram from the network into p, whose payload
// then points into b (the read buffer, which the next read reuses).
func readPacket(p *rtp.Packet, b []byte) error {
	if len(b) >= maxPacket {
		return fmt.Errorf("%w: datagram too large", ErrBadPacket)
	}
	if err := p.Unmarshal(b); err != nil {
		return fmt.Errorf("%w: %w", ErrBadPacket, err)
	}
	if p.Version != 2 {
		return fmt.Errorf("%w: RTP version %d", ErrBadPacket, p.Version)
	}
	if pt := p.PayloadType; pt >= 72 && pt <= 76 {
		return fmt.Errorf("%w: RTCP in the RTP port", ErrBadPacket)
	}
	return nil
}

package media

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/pion/rtp"
)

// ReadFrame fills pcm with the next frame from the jitter buffer and reports
// whether it carries received audio. On loss or underrun it replays the last frame
// once, fading out, and then fills silence.
func (s *Stream) ReadFrame(pcm []int16) bool {
	pkt, ok := s.jitter.Pop()
	s.mu.Lock()
	codec, pt := s.params.Codec, s.params.PayloadType
	s.mu.Unlock()

	if ok && codec != nil && pkt.PayloadType == pt {
		s.decoded = codec.Decode(s.decoded[:0], pkt.Payload)
		n := copy(pcm, s.decoded)
		clear(pcm[n:])
		s.last = append(s.last[:0], pcm...)
		s.concealed = false
		return true
	}
	if ok {
		s.last = s.last[:0] // a telephone-event packet: silence, nothing to conceal
	}
	s.conceal(pcm)
	return false
}

// conceal replays the last good frame once with a linear fade, else silence.
func (s *Stream) conceal(pcm []int16) {
	if s.concealed || len(s.last) != len(pcm) {
		clear(pcm)
		return
	}
	s.concealed = true
	n := len(pcm)
	for i, v := range s.last {
		pcm[i] = int16(int(v) * (n - i) / n)
	}
}

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
	buf := make([]byte, maxPacket)
	plain := make([]byte, 0, maxPacket)
	for {
		n, src, err := s.rtp.ReadFromUDP(buf)
		if err != nil {
			if s.isDone() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Debug("RTP read", "err", err)
			continue
		}
		b := buf[:n]
		if isRTCP(b) {
			if s.mux.Load() {
				s.takeRTCP(b, plain, src) // RFC 5761: RTCP on the RTP port
			} else {
				s.ignored.Add(1)
			}
			continue
		}
		if sec := s.srtp.Load(); sec != nil && n < maxPacket {
			if b, err = sec.rxRTP.DecryptRTP(plain[:0], b, nil); err != nil {
				s.ignored.Add(1) // not SRTP with the peer's key, or replayed
				continue
			}
		}
		s.handleRTP(b, src)
	}
}

// handleRTP takes one datagram from the RTP socket.
func (s *Stream) handleRTP(b []byte, src *net.UDPAddr) {
	pkt, err := readPacket(b)
	if err != nil {
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
	if !isAudio && !isDTMF {
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
	s.rx.update(pkt.SequenceNumber, pkt.SSRC, pkt.Timestamp, now, rate, isAudio)
	if isAudio {
		s.dtmfRx.audio(pkt.Timestamp, rate, emit)
	} else if ev, err := parseDTMFPayload(pkt.Payload); err == nil {
		s.dtmfRx.handle(pkt.Timestamp, ev, rate, emit)
	}
	s.mu.Unlock()

	s.received.Add(1)
	s.receivedB.Add(uint64(len(pkt.Payload)))
	s.lastReceived.Store(now.UnixNano())
	s.jitter.Put(pkt)
	if p.OnDTMF != nil {
		for _, d := range digits {
			p.OnDTMF(d)
		}
	}
}

// readPacket parses an RTP datagram from the network into a packet that owns its
// memory (the read buffer is reused).
func readPacket(b []byte) (*rtp.Packet, error) {
	if len(b) >= maxPacket {
		return nil, fmt.Errorf("%w: datagram too large", ErrBadPacket)
	}
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPacket, err)
	}
	if p.Version != 2 {
		return nil, fmt.Errorf("%w: RTP version %d", ErrBadPacket, p.Version)
	}
	if pt := p.PayloadType; pt >= 72 && pt <= 76 {
		return nil, fmt.Errorf("%w: RTCP in the RTP port", ErrBadPacket)
	}
	return &rtp.Packet{Header: rtp.Header{
		Version:        2,
		Marker:         p.Marker,
		PayloadType:    p.PayloadType,
		SequenceNumber: p.SequenceNumber,
		Timestamp:      p.Timestamp,
		SSRC:           p.SSRC,
	}, Payload: append([]byte(nil), p.Payload...)}, nil
}

package media

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// RFC 4733 telephone-event defaults for sending.
const (
	DefaultDTMFDuration = 100 * time.Millisecond // tone length of each digit
	MinDTMFGap          = 60 * time.Millisecond  // silence between digits, at least
	dtmfVolume          = 10                     // -10 dBm0, the customary level
	dtmfEndRepeats      = 3                      // the end packet is sent this often
	dtmfPayloadSize     = 4
)

// dtmfEndGrace is how far, in RTP clock units past an event's last reported
// duration, audio must have moved before an event whose end packets were all lost
// is reported anyway (120 ms at 8 kHz).
const dtmfEndGrace = 960

// digits maps RFC 4733 event codes 0-15 to their keys.
const digits = "0123456789*#ABCD"

// DTMF is one digit received from the peer.
type DTMF struct {
	Digit    rune          // '0'-'9', '*', '#', 'A'-'D'
	Duration time.Duration // tone length as reported by the sender
}

// dtmfPayload is the 4-byte RFC 4733 named-event payload.
type dtmfPayload struct {
	Event    uint8
	End      bool
	Volume   uint8  // 0-63, -dBm0
	Duration uint16 // in RTP clock units since the event's timestamp
}

// parseDTMFPayload decodes an RFC 4733 payload. Extra bytes (redundant events of
// RFC 2198 are not negotiated) are ignored.
func parseDTMFPayload(b []byte) (dtmfPayload, error) {
	if len(b) < dtmfPayloadSize {
		return dtmfPayload{}, fmt.Errorf("%w: telephone-event payload of %d bytes", ErrBadPacket, len(b))
	}
	return dtmfPayload{
		Event:    b[0],
		End:      b[1]&0x80 != 0,
		Volume:   b[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(b[2:4]),
	}, nil
}

// appendTo appends the wire form of p to b.
func (p dtmfPayload) appendTo(b []byte) []byte {
	flags := p.Volume & 0x3f
	if p.End {
		flags |= 0x80
	}
	b = append(b, p.Event, flags)
	return binary.BigEndian.AppendUint16(b, p.Duration)
}

// dtmfEvent returns the RFC 4733 event code of a key.
func dtmfEvent(key rune) (uint8, bool) {
	i := strings.IndexRune(digits, key)
	return uint8(i), i >= 0
}

// parseDigits converts a dial string to event codes, rejecting it whole on the
// first invalid key.
func parseDigits(s string) ([]uint8, error) {
	events := make([]uint8, 0, len(s))
	for _, r := range s {
		ev, ok := dtmfEvent(r)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrInvalidDigit, r)
		}
		events = append(events, ev)
	}
	return events, nil
}

// dtmfReceiver turns a telephone-event packet stream into digits, each reported
// exactly once. An event is identified by its RTP timestamp: it is reported at its
// first end packet, or, when all end packets were lost, when a newer event starts
// or audio has clearly moved past it. Markers and the duration of the first packet
// are not relied upon (senders omit the one and send 0 in the other).
type dtmfReceiver struct {
	active   bool // an event has been seen; the fields below describe it
	reported bool
	ts       uint32
	event    uint8
	duration uint16
}

// handle processes one telephone-event packet and emits the digits it completes:
// none, the current one, or a previous one whose end packets were lost (and then
// possibly the current one too, when it is a lone end packet).
func (r *dtmfReceiver) handle(ts uint32, p dtmfPayload, rate int, emit func(DTMF)) {
	if p.Event >= uint8(len(digits)) {
		return // flash and other named events are not digits
	}
	if r.active && ts == r.ts {
		if r.reported {
			return // retransmitted end, or trailing packets
		}
		r.duration = max(r.duration, p.Duration)
		if p.End {
			emit(r.report(rate))
		}
		return
	}
	if r.active && int32(ts-r.ts) < 0 {
		return // a straggler of an older event
	}
	if prev, ok := r.pending(rate); ok {
		emit(prev)
	}
	*r = dtmfReceiver{active: true, ts: ts, event: p.Event, duration: p.Duration}
	if p.End {
		emit(r.report(rate))
	}
}

// audio tells the receiver an audio packet with timestamp ts arrived. It emits the
// pending event if the audio is well past it (its end packets were lost).
func (r *dtmfReceiver) audio(ts uint32, rate int, emit func(DTMF)) {
	if !r.active || r.reported {
		return
	}
	if int64(int32(ts-r.ts)) > int64(r.duration)+dtmfEndGrace {
		emit(r.report(rate))
	}
}

// pending reports the current event if it was never reported.
func (r *dtmfReceiver) pending(rate int) (DTMF, bool) {
	if !r.active || r.reported {
		return DTMF{}, false
	}
	return r.report(rate), true
}

func (r *dtmfReceiver) report(rate int) DTMF {
	r.reported = true
	return DTMF{
		Digit:    rune(digits[r.event]),
		Duration: time.Duration(r.duration) * time.Second / time.Duration(rate),
	}
}

// dtmfPacket is one telephone-event packet for the sender to put on the wire.
type dtmfPacket struct {
	payload   dtmfPayload
	timestamp uint32 // the event's start: the same for all its packets
	marker    bool   // first packet of the event
}

// dtmfSender queues digits and, frame by frame, yields the RFC 4733 packets that
// replace audio while a digit plays: one packet per frame with the event's start
// timestamp and a growing duration, the marker on the first, the end packet three
// times, then gap frames of audio before the next digit. SendDTMF feeds it from the
// engine's goroutine while the media clock drains it, hence the mutex.
type dtmfSender struct {
	tone time.Duration
	gap  time.Duration

	mu       sync.Mutex
	queue    []uint8
	active   bool
	event    uint8
	ts       uint32
	duration uint32 // clock units sent so far
	total    uint32 // clock units of the whole tone
	ends     int    // end packets still to send
	first    bool
	gapLeft  int // audio frames to send before the next digit
}

func newDTMFSender(tone, gap time.Duration) *dtmfSender {
	if tone <= 0 {
		tone = DefaultDTMFDuration
	}
	return &dtmfSender{tone: tone, gap: max(gap, MinDTMFGap)}
}

// enqueue adds event codes to the queue.
func (s *dtmfSender) enqueue(events []uint8) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, events...)
}

// reset drops queued digits and any digit in progress.
func (s *dtmfSender) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = s.queue[:0]
	s.active, s.gapLeft = false, 0
}

// busy reports whether digits are queued or playing.
func (s *dtmfSender) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active || s.gapLeft > 0 || len(s.queue) > 0
}

// next is called once per frame with the stream's current RTP timestamp and the
// frame length in clock units. It returns the packet to send instead of audio, or
// false when this frame carries audio.
func (s *dtmfSender) next(ts, frame uint32, rate int) (dtmfPacket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.gapLeft > 0 {
		s.gapLeft--
		return dtmfPacket{}, false
	}
	if !s.active {
		if len(s.queue) == 0 {
			return dtmfPacket{}, false
		}
		s.start(s.queue[0], ts, frame, rate)
		s.queue = s.queue[1:]
	}
	pkt := dtmfPacket{timestamp: s.ts, marker: s.first}
	s.first = false
	if s.duration < s.total {
		s.duration = min(s.duration+frame, s.total)
	}
	end := s.duration >= s.total
	if end {
		s.ends--
	}
	pkt.payload = dtmfPayload{Event: s.event, End: end, Volume: dtmfVolume, Duration: uint16(s.duration)}
	if s.ends == 0 {
		s.active = false
		s.gapLeft = framesIn(s.gap)
	}
	return pkt, true
}

func (s *dtmfSender) start(event uint8, ts, frame uint32, rate int) {
	total := uint32(s.tone * time.Duration(rate) / time.Second)
	total = (total + frame - 1) / frame * frame // whole frames
	s.active, s.first = true, true
	s.event, s.ts = event, ts
	s.duration, s.total = 0, min(total, 0xffff/frame*frame)
	s.ends = dtmfEndRepeats
}

// framesIn returns the number of frames covering d, rounded up.
func framesIn(d time.Duration) int {
	const frame = audio.FrameMillis * time.Millisecond
	return int((d + frame - 1) / frame)
}

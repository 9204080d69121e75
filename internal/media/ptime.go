package media

import (
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// The audio one sent packet carries (a=ptime, RFC 4566 §6): 10 to 60 ms, in
// steps of 10 ms, the range every codec of the engine takes.
const (
	DefaultPacketTime = 20 * time.Millisecond
	MinPacketTime     = 10 * time.Millisecond
	MaxPacketTime     = 60 * time.Millisecond
	packetTimeStep    = 10 * time.Millisecond
)

// PacketTimer is a codec whose packets come in a few durations only (Opus:
// 10, 20, 40 or 60 ms). PacketTime returns the longest of them within want.
type PacketTimer interface {
	PacketTime(want time.Duration) time.Duration
}

// PacketTime is the audio each packet carries when the peer asks for want
// (zero: DefaultPacketTime): want in whole steps of 10 ms within the range,
// then the longest the codec can send within that.
func PacketTime(c audio.Codec, want time.Duration) time.Duration {
	if want <= 0 {
		want = DefaultPacketTime
	}
	d := min(max(want.Truncate(packetTimeStep), MinPacketTime), MaxPacketTime)
	if pt, ok := c.(PacketTimer); ok {
		d = pt.PacketTime(d)
	}
	return d
}

// packetSamples is the length of a packet of d at the engine's rate.
func packetSamples(d time.Duration) int {
	return int(d * audio.SampleRate / time.Second)
}

// packetTiming learns the peer's packet time from the timestamps of
// consecutive audio packets: a step seen twice running is taken.
type packetTiming struct {
	seq   uint16
	ts    uint32
	have  bool
	step  uint32 // the last step between consecutive packets, in clock units
	units uint32 // the packet time taken; 0 until learnt
}

// update takes an audio packet, at rate, and returns the packet time in
// frames when it is learnt or changes, else 0. A packet opening a talkspurt
// (the marker) follows a pause, not a packet, and teaches nothing; nor does a
// step beyond the longest packet time.
func (p *packetTiming) update(seq uint16, ts uint32, marker bool, rate int) float64 {
	next := p.have && seq == p.seq+1 && !marker
	d := ts - p.ts
	p.seq, p.ts, p.have = seq, ts, true
	if !next || d == 0 || d > uint32(time.Duration(rate)*MaxPacketTime/time.Second) {
		p.step = 0
		return 0
	}
	stable := d == p.step
	p.step = d
	if !stable || d == p.units {
		return 0
	}
	p.units = d
	return float64(d) / float64(rate*audio.FrameMillis/1000)
}

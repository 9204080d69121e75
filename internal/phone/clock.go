package phone

import (
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// frameTime is the length of one audio frame, the media clock's period.
const frameTime = audio.FrameMillis * time.Millisecond

// maxCatchUp is the most frames the media clock makes up after a late tick (200 ms).
// A longer gap (a suspended laptop, a stalled machine) is not made up: the clock
// starts counting afresh, and the jitter buffers see a gap, as after a network hiccup.
const maxCatchUp = 10

// frameClock counts the frames due on the real clock. A time.Ticker drops ticks a
// busy receiver misses, so counting ticks would lose audio and let the RTP clock fall
// behind real time; counting elapsed time does not.
type frameClock struct {
	start time.Time // when frame 0 was due
	done  int64     // frames processed since start
}

// due returns how many frames to process at a tick at now: every frame whose time has
// come since the last tick, at least one; after a gap of more than maxCatchUp frames,
// one, counting afresh from now.
func (c *frameClock) due(now time.Time) int {
	if c.start.IsZero() {
		c.start = now
	}
	n := int64(now.Sub(c.start)/frameTime) + 1 - c.done
	switch {
	case n > maxCatchUp:
		c.start, c.done, n = now, 0, 1
	case n < 1:
		n = 1 // an early tick: the ticker is the pace, not the arithmetic
	}
	c.done += n
	return int(n)
}

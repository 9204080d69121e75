package phone

import (
	"testing"
	"time"
)

// The media clock processes every frame whose time has come: one per punctual tick,
// the missed ones after a late tick, and starts afresh after a gap longer than
// maxCatchUp frames.
func TestFrameClockMakesUpLateTicks(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	steps := []struct {
		now  time.Time
		want int
	}{
		{at(0), 1},    // frame 0
		{at(20), 1},   // frame 1
		{at(41), 1},   // frame 2, a little late
		{at(100), 3},  // frames 3, 4 and 5: two ticks were dropped
		{at(110), 1},  // early: the ticker paces, one frame anyway (frame 6)
		{at(140), 1},  // frame 7 (frame 6 was taken early)
		{at(340), 10}, // frames 8..17: ten ticks dropped, all made up
		{at(360), 1},  // frame 18
		{at(640), 1},  // 14 due, more than maxCatchUp: start afresh, frame 0 again
		{at(660), 1},
		{at(700), 2},
		{at(5000), 1}, // a stall of seconds: start afresh
	}
	var c frameClock
	for i, s := range steps {
		if got := c.due(s.now); got != s.want {
			t.Errorf("step %d at %v: %d frames, want %d", i, s.now.Sub(t0), got, s.want)
		}
	}
}

//go:build cgo

package device

import (
	"testing"
	"time"
)

// A device opened on one side runs that side alone: a microphone opened for a level
// meter plays nothing, a speaker opened for the ring tone captures nothing.
func TestOneSideOpensOnlyThatSide(t *testing.T) {
	for _, tt := range []struct {
		name  string
		sides Sides
	}{{"capture", Capture}, {"playback", Playback}} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(Config{Backend: "null", Sides: tt.sides, Logger: testLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = d.Close() })
			if len(d.devices) != 1 {
				t.Fatalf("%d devices open, want 1", len(d.devices))
			}
			moved := func(s Stats) uint64 { return s.FramesCaptured + s.FramesPlayed }
			deadline := time.Now().Add(2 * time.Second)
			for moved(d.Stats()) == 0 { // the callback runs on the device's clock
				if time.Now().After(deadline) {
					t.Fatal("the device ran no callback in 2 s")
				}
				time.Sleep(5 * time.Millisecond)
			}
			s := d.Stats()
			if captured, played := s.FramesCaptured > 0, s.FramesPlayed > 0; captured != (tt.sides == Capture) || played != (tt.sides == Playback) {
				t.Errorf("stats %+v: opened %s only, but captured %v and played %v", s, tt.name, captured, played)
			}
		})
	}
}

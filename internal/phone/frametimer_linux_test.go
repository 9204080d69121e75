package phone

import (
	"testing"
	"time"
)

// On Linux the real media clock is a timerfd: it ticks once a frame, never early,
// and stopping it ends a wait in progress, which is how the clock stops.
func TestTimerfdTicksEveryFrameAndStops(t *testing.T) {
	real := newOSFrameTimer()
	real.stop()
	if _, ok := real.(*timerfdTimer); !ok {
		t.Fatalf("the real media clock is a %T, want the timerfd", real)
	}
	tm, err := newTimerfdTimer(frameTime)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	const ticks = 5
	for i := range ticks {
		if _, ok := tm.wait(); !ok {
			t.Fatalf("tick %d: the running timer says it stopped", i)
		}
	}
	if took := time.Since(start); took < (ticks-1)*frameTime {
		t.Fatalf("%d ticks took %v, less than %d frames", ticks, took, ticks-1)
	}

	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if _, ok := tm.wait(); !ok {
				return
			}
		}
	}()
	tm.stop()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not end the wait in progress")
	}
	tm.stop() // again: no effect
}

package phone

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
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

// BenchmarkFrameTimer measures what a tick of the media clock costs the process, not
// the caller: the CPU time (user and system) and the context switches of the whole
// process per tick of one frame, on the timerfd and on Go's ticker. Command:
// go test -run '^$' -bench FrameTimer -benchtime 150x -count 3 ./internal/phone
func BenchmarkFrameTimer(b *testing.B) {
	const period = frameTime
	timers := []struct {
		name string
		new  func() (frameTimer, error)
	}{
		{"timerfd", func() (frameTimer, error) { return newTimerfdTimer(period) }},
		{"ticker", func() (frameTimer, error) {
			t := time.NewTicker(period)
			return newChanTimer(t.C, t.Stop), nil
		}},
	}
	for _, tc := range timers {
		b.Run(tc.name, func(b *testing.B) {
			tm, err := tc.new()
			if err != nil {
				b.Fatal(err)
			}
			defer tm.stop()
			before := processUsage(b)
			b.ResetTimer()
			for range b.N {
				if _, ok := tm.wait(); !ok {
					b.Fatal("the timer stopped")
				}
			}
			b.StopTimer()
			after := processUsage(b)
			b.ReportMetric(float64(after.cpu-before.cpu)/float64(b.N), "cpu-ns/tick")
			b.ReportMetric(float64(after.switches-before.switches)/float64(b.N), "switches/tick")
		})
	}
}

// usage is the process's CPU time, in nanoseconds, and context switches so far.
type usage struct{ cpu, switches int64 }

func processUsage(b *testing.B) usage {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return usage{
		cpu:      ru.Utime.Nano() + ru.Stime.Nano(),
		switches: ru.Nvcsw + ru.Nivcsw,
	}
}

package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wpservice/wpservice/internal/audio/endpoint"
	"github.com/wpservice/wpservice/internal/config"
)

// The trimmer trims once the engine has settled after start-up, and again each time
// the sound device has been released for settleTime; not while the device is in use,
// not when it is taken again before the engine settled, and never twice for one idle
// stretch. It ends with the engine's context, and not before (its goroutine's exit
// would page part of the runtime back in).
func TestTrimmerTrimsEachTimeTheEngineSettlesIntoIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		tr := newTrimmer()
		var trims atomic.Int32
		tr.trim = func() { trims.Add(1) }
		done := make(chan struct{})
		go func() {
			tr.run(ctx)
			close(done)
		}()
		step := func(what string, d time.Duration, want int32) {
			t.Helper()
			time.Sleep(d)
			synctest.Wait()
			if n := trims.Load(); n != want {
				t.Fatalf("%s: %d trims, want %d", what, n, want)
			}
		}
		step("just started", settleTime-time.Millisecond, 0)
		step("settled after start-up", time.Millisecond, 1)
		step("idle for long", time.Minute, 1)

		tr.setBusy(true) // a call
		step("in a call", time.Minute, 1)
		tr.setBusy(false)
		step("the call just ended", settleTime/2, 1)
		tr.setBusy(true) // another call before the engine settled
		step("the next call", time.Minute, 1)
		tr.setBusy(false)
		tr.setBusy(true) // released and taken again at once: one pending signal
		step("a device reopened at once", time.Minute, 1)
		tr.setBusy(false)
		step("settled after the calls", settleTime, 2)
		step("idle again for long", time.Hour, 2)

		select {
		case <-done:
			t.Fatal("the trimmer returned with the engine still running")
		default:
		}
		cancel()
		<-done
	})
}

// The phone's audio, wrapped, tells the trimmer when the device is taken and released.
func TestTrimmedAudioReportsTheDevicesUse(t *testing.T) {
	e, err := endpoint.Open(config.Audio{Backend: "null", Input: "null", Output: "null"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tr := newTrimmer()
	a := tr.audio(e)
	for _, use := range []struct{ capture, playback, busy bool }{
		{false, true, true}, {true, true, true}, {false, false, false}, {true, false, true}, {false, false, false},
	} {
		if err := a.Use(use.capture, use.playback); err != nil {
			t.Fatal(err)
		}
		if tr.busy.Load() != use.busy {
			t.Errorf("Use(%v, %v): busy = %v, want %v", use.capture, use.playback, !use.busy, use.busy)
		}
	}
	if len(tr.change) != 1 {
		t.Errorf("%d pending signals after the changes, want 1", len(tr.change))
	}
}

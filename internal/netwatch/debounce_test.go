package netwatch

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// A burst of messages closer together than settle is reported once, settle after
// its last message.
func TestDebounceFoldsABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		raw, out := make(chan struct{}), make(chan struct{}, 4)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go debounce(ctx, raw, out, settle, maxDelay)
		start := time.Now()
		for range 5 {
			raw <- struct{}{}
			time.Sleep(settle / 2)
		}
		<-out
		if got, want := time.Since(start), 5*settle/2+settle/2; got != want {
			t.Errorf("reported after %v, want %v (settle after the last message)", got, want)
		}
		synctest.Wait()
		if len(out) != 0 {
			t.Errorf("%d more reports of one burst", len(out))
		}
	})
}

// Messages that never stop are reported maxDelay after the first one, and again after
// the next maxDelay.
func TestDebounceReportsAFlappingLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		raw, out := make(chan struct{}), make(chan struct{}, 4)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go debounce(ctx, raw, out, settle, maxDelay)
		start := time.Now()
		for time.Since(start) < 2*maxDelay+settle/2 {
			raw <- struct{}{}
			time.Sleep(settle / 3)
		}
		if len(out) != 2 {
			t.Errorf("%d reports in %v of messages, want 2 (one per %v)", len(out), time.Since(start), maxDelay)
		}
	})
}

// Two bursts apart are two reports.
func TestDebounceReportsEachBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		raw, out := make(chan struct{}), make(chan struct{}, 4)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go debounce(ctx, raw, out, settle, maxDelay)
		for range 2 {
			raw <- struct{}{}
			raw <- struct{}{}
			time.Sleep(2 * settle)
		}
		if len(out) != 2 {
			t.Errorf("%d reports of two bursts, want 2", len(out))
		}
	})
}

package phone

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/wpservice/wpservice/internal/api"
)

// WhileWatched runs its work only while a watcher is subscribed: not before the
// first, stopped after the last has gone, started again for the next, and ended with
// its context.
func TestWhileWatchedRunsOnlyWhileSomeoneWatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBus()
		var starts, stops int
		running := false
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			b.WhileWatched(ctx, func(ctx context.Context) {
				starts++
				running = true
				<-ctx.Done()
				running = false
				stops++
			})
		}()
		is := func(step string, wantRunning bool, wantStarts int) {
			t.Helper()
			synctest.Wait()
			if running != wantRunning || starts != wantStarts {
				t.Fatalf("%s: running %v after %d starts, want %v after %d", step, running, starts, wantRunning, wantStarts)
			}
		}
		subscribe := func() func() {
			_, unsubscribe := b.subscribe(func(api.Event) {}, api.Hello{})
			return unsubscribe
		}

		is("no watcher", false, 0)
		first := subscribe()
		is("a watcher", true, 1)
		second := subscribe()
		is("two watchers", true, 1)
		first()
		is("one of two gone", true, 1)
		second()
		is("the last gone", false, 1)
		third := subscribe()
		is("a watcher again", true, 2)
		cancel()
		<-done
		if running || stops != 2 {
			t.Errorf("after the end: running %v, stopped %d times; want stopped twice", running, stops)
		}
		third()
	})
}

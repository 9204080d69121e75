package phone

import "context"

// Some work is worth doing only while someone watches the engine: the device list is
// polled for hot-plug only while a client is there to be told (an idle engine polls
// nothing). WhileWatched runs such work for as long as the bus has a watcher.

// WhileWatched runs f whenever the bus has at least one watcher, cancelling f's
// context once the last one has gone, and again when one comes back. It returns when
// ctx is done and f has returned.
func (b *Bus) WhileWatched(ctx context.Context, f func(ctx context.Context)) {
	for b.awaitWatchers(ctx, true) {
		fctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			f(fctx)
		}()
		b.awaitWatchers(ctx, false)
		cancel()
		<-done
	}
}

// awaitWatchers waits until the bus has watchers (want) or has none (!want). It
// reports false when ctx ended first.
func (b *Bus) awaitWatchers(ctx context.Context, want bool) bool {
	for ctx.Err() == nil {
		b.mu.Lock()
		watched, changed := len(b.sinks) > 0, b.changed
		b.mu.Unlock()
		if watched == want {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
		}
	}
	return false
}

// watchersChanged wakes those waiting in awaitWatchers. The caller holds b.mu.
func (b *Bus) watchersChanged() {
	close(b.changed)
	b.changed = make(chan struct{})
}

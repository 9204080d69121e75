package phone

import (
	"sync"
	"time"
)

// frameTimer paces the media clock: wait blocks until the next tick and returns its
// time, or false once stop was called. stop may be called from any goroutine, more
// than once.
type frameTimer interface {
	wait() (time.Time, bool)
	stop()
}

// newRealFrameTimer returns the timer of the real 20 ms clock: the operating system's
// own where the engine has one (frametimer_linux.go), else Go's ticker. Tests that
// run the real clock in a synctest bubble set it to newTickerTimer, the timer that
// synctest controls.
var newRealFrameTimer = newOSFrameTimer

// chanTimer ticks on every value of a channel: a time.Ticker's, or a test's.
type chanTimer struct {
	c        <-chan time.Time
	done     chan struct{}
	stopOnce sync.Once
	onStop   func() // releases what feeds c; may be nil
}

func newChanTimer(c <-chan time.Time, onStop func()) *chanTimer {
	return &chanTimer{c: c, done: make(chan struct{}), onStop: onStop}
}

// newTickerTimer returns a timer on Go's time.Ticker with a period of one frame.
func newTickerTimer() frameTimer {
	t := time.NewTicker(frameTime)
	return newChanTimer(t.C, t.Stop)
}

func (t *chanTimer) wait() (time.Time, bool) {
	select {
	case <-t.done:
		return time.Time{}, false
	case now := <-t.c:
		return now, true
	}
}

func (t *chanTimer) stop() {
	t.stopOnce.Do(func() {
		close(t.done)
		if t.onStop != nil {
			t.onStop()
		}
	})
}

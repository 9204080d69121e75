package phone

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdTimer is the media clock on a Linux timerfd, read through Go's network
// poller: a tick is an event on a descriptor, and the thread waiting in the poller
// wakes and runs the pump. On Go's ticker a tick costs about twice the context
// switches: the runtime's monitor thread sleeps until the next Go timer, so it woke
// at every tick as well, and the ticker's timer was re-armed each time the pump
// waited for it (docs/benchmarks.md).
type timerfdTimer struct {
	f   *os.File
	buf [8]byte // the number of expirations, which wait does not need: frameClock counts time
}

// newOSFrameTimer returns a timerfd ticking every frame, or Go's ticker when the
// kernel refuses one.
func newOSFrameTimer() frameTimer {
	t, err := newTimerfdTimer(frameTime)
	if err != nil {
		return newTickerTimer()
	}
	return t
}

func newTimerfdTimer(period time.Duration) (*timerfdTimer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("timerfd: %w", err)
	}
	ts := unix.NsecToTimespec(int64(period))
	if err := unix.TimerfdSettime(fd, 0, &unix.ItimerSpec{Interval: ts, Value: ts}, nil); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("timerfd: %w", err)
	}
	// A non-blocking descriptor joins the poller: a Read parks the goroutine, not a thread.
	return &timerfdTimer{f: os.NewFile(uintptr(fd), "media clock")}, nil
}

func (t *timerfdTimer) wait() (time.Time, bool) {
	if _, err := t.f.Read(t.buf[:]); err != nil {
		return time.Time{}, false // closed by stop
	}
	return time.Now(), true
}

// stop closes the timer, which ends a wait in progress.
func (t *timerfdTimer) stop() { t.f.Close() }

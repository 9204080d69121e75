package phone

import (
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// timerfdTimer is the media clock on a Linux timerfd, read through Go's network
// poller: a tick is an event on a descriptor, and the thread waiting in the poller
// wakes and runs the pump. On Go's ticker a tick costs about twice the context
// switches: the runtime's monitor thread sleeps until the next Go timer, so it woke
// at every tick as well, and the ticker's timer was re-armed each time the pump
// waited for it (docs/benchmarks.md). The descriptor is read by a raw system call
// on the poller (syscall.RawConn), as a call's RTP is (media/udpio_linux.go): a
// read through os.File enters the runtime's system-call bookkeeping, which wakes
// the monitor thread at every tick of an otherwise idle engine.
type timerfdTimer struct {
	f      *os.File
	rc     syscall.RawConn
	readFn func(fd uintptr) bool // t.read, made once: a method value per wait would allocate
	buf    [8]byte               // the number of expirations, which wait does not need: frameClock counts time
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
	// A non-blocking descriptor joins the poller: a wait parks the goroutine, not a thread.
	f := os.NewFile(uintptr(fd), "media clock")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("timerfd: %w", err)
	}
	t := &timerfdTimer{f: f, rc: rc}
	t.readFn = t.read
	return t, nil
}

func (t *timerfdTimer) wait() (time.Time, bool) {
	if err := t.rc.Read(t.readFn); err != nil {
		return time.Time{}, false // closed by stop
	}
	return time.Now(), true
}

// read takes the expirations; false, while none is due, asks the poller to wait.
func (t *timerfdTimer) read(fd uintptr) bool {
	for {
		_, _, errno := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&t.buf[0])), uintptr(len(t.buf)))
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		return true
	}
}

// stop closes the timer, which ends a wait in progress.
func (t *timerfdTimer) stop() { t.f.Close() }

package main

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// fatal unwinds the daemon after a failure; run reports it as a JSON error.
type fatal string

// tb is testpeer.TB for a process that is not a test: logs go to a writer
// (standard error), Fatal and Skip stop the daemon after its cleanups, and
// temporary directories live under one root that the last cleanup removes.
type tb struct {
	log  io.Writer
	root string

	mu       sync.Mutex
	cleanups []func()
	failed   bool
	once     sync.Once // runs the cleanups once, whoever asks first
}

// newTB makes the temporary root and registers its removal as the first
// cleanup, so that it runs last.
func newTB(log io.Writer) (*tb, error) {
	root, err := os.MkdirTemp("", "peerd-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	t := &tb{log: log, root: root}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	return t, nil
}

// Helper does nothing: there are no test frames to hide.
func (t *tb) Helper() {}

// Cleanup registers f to run when the daemon stops.
func (t *tb) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// runCleanups runs the cleanups last-in first-out, as testing does. A
// second caller (the signal handler racing the main loop) waits for the
// first to finish.
func (t *tb) runCleanups() {
	t.once.Do(func() {
		t.mu.Lock()
		fs := t.cleanups
		t.cleanups = nil
		t.mu.Unlock()
		for i := len(fs) - 1; i >= 0; i-- {
			fs[i]()
		}
	})
}

// Errorf logs and marks the daemon failed, which makes peers print their
// log tails when they stop.
func (t *tb) Errorf(format string, args ...any) {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
	t.Logf(format, args...)
}

// Failed reports whether Errorf, Fatal or Skipf was called.
func (t *tb) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// Fatal stops the daemon: run answers with the message and exits non-zero.
func (t *tb) Fatal(args ...any) { t.stop(fmt.Sprint(args...)) }

// Fatalf is Fatal with a format.
func (t *tb) Fatalf(format string, args ...any) { t.stop(fmt.Sprintf(format, args...)) }

// Skipf is a failure here: a test that asked for a peer must not pass
// without it. (testpeer skips only outside CI; under CI it calls Fatalf.)
func (t *tb) Skipf(format string, args ...any) {
	t.stop("cannot start: " + fmt.Sprintf(format, args...))
}

func (t *tb) stop(msg string) {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
	panic(fatal(msg))
}

// Log writes a line to the log.
func (t *tb) Log(args ...any) { fmt.Fprintln(t.log, append([]any{"peerd:"}, args...)...) }

// Logf writes a formatted line to the log.
func (t *tb) Logf(format string, args ...any) { fmt.Fprintf(t.log, "peerd: "+format+"\n", args...) }

// TempDir returns a new directory under the daemon's temporary root.
func (t *tb) TempDir() string {
	dir, err := os.MkdirTemp(t.root, "tmp-")
	if err != nil {
		t.Fatalf("temporary directory: %v", err)
	}
	return dir
}

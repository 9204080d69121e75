package main

import (
	"fmt"
	"os"
	"sync"
)

// fatal unwinds the daemon after a failure; run reports it as a JSON error.
type fatal string

// tb is testpeer.TB for a process that is not a test: logs go to standard error,
// failures stop the daemon (after its cleanups), temporary files go under one root.
type tb struct {
	mu       sync.Mutex
	cleanups []func()
	failed   bool
	root     string
}

func newTB() *tb {
	root, err := os.MkdirTemp("", "peerd-")
	if err != nil {
		panic(err)
	}
	t := &tb{root: root}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	return t
}

func (t *tb) Helper() {}

func (t *tb) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// runCleanups runs the cleanups last-in first-out, as testing does.
func (t *tb) runCleanups() {
	t.mu.Lock()
	fs := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func (t *tb) Errorf(format string, args ...any) {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
	fmt.Fprintf(os.Stderr, "peerd: "+format+"\n", args...)
}

func (t *tb) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *tb) Fatal(args ...any) { panic(fatal(fmt.Sprint(args...))) }

func (t *tb) Fatalf(format string, args ...any) { panic(fatal(fmt.Sprintf(format, args...))) }

// Skipf is a failure here: a missing peer must not pass silently.
func (t *tb) Skipf(format string, args ...any) {
	panic(fatal("missing: " + fmt.Sprintf(format, args...)))
}

func (t *tb) Log(args ...any) { fmt.Fprintln(os.Stderr, append([]any{"peerd:"}, args...)...) }

func (t *tb) Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "peerd: "+format+"\n", args...) }

func (t *tb) TempDir() string {
	dir, err := os.MkdirTemp(t.root, "tmp-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

package main

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/config"
)

// runningEngine is runEngine started by a test on a goroutine of its own.
type runningEngine struct {
	port  string             // the control API's port, from the ready line
	logs  *readyWatch        // everything it logged
	stop  context.CancelFunc // ends its context, as a signal does
	ended chan error         // runEngine's result, once it returned
}

// startRunEngine runs runEngine on cfg and returns once the engine logged that it is
// ready. The test fails if it is not within 10 s.
func startRunEngine(t *testing.T, cfg config.Config) *runningEngine {
	t.Helper()
	e := &runningEngine{logs: &readyWatch{ready: make(chan string, 1)}, ended: make(chan error, 1)}
	ctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	returned := make(chan struct{})
	// Stopped, and awaited, before the test's temporary directories go: an engine
	// still shutting down writes in its data directory.
	t.Cleanup(func() {
		stop()
		select {
		case <-returned:
		case <-time.After(15 * time.Second):
			t.Errorf("the engine had not returned 15 s after its context ended")
		}
	})
	go func() {
		e.ended <- runEngine(ctx, cfg, slog.New(slog.NewTextHandler(e.logs, nil)))
		close(returned)
	}()
	select {
	case e.port = <-e.logs.ready:
	case err := <-e.ended:
		t.Fatalf("the engine did not start: %v\n%s", err, e.logs)
	case <-time.After(10 * time.Second):
		t.Fatalf("the engine is not ready after 10 s\n%s", e.logs)
	}
	return e
}

// readyWatch keeps the engine's log and sends the control port once it is ready.
type readyWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan string
}

var readyLine = regexp.MustCompile(`wpservice ready.*control=http://127\.0\.0\.1:(\d+)/`)

func (w *readyWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m := readyLine.FindSubmatch(p); m != nil {
		w.ready <- string(m[1])
	}
	return w.buf.Write(p)
}

func (w *readyWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

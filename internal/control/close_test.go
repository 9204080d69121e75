package control

import (
	"context"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Close does not wait for a command still running in the engine: it cancels it, and
// the connection closes (1001) at once.
func TestCloseCancelsCommandsInFlight(t *testing.T) {
	f := newFakeBackend()
	running := make(chan struct{})
	f.do = func(ctx context.Context, cmd string, args any) (any, error) {
		close(running)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws) // hello
	send(t, ws, `{"id":"1","cmd":"status"}`)
	<-running

	closed := make(chan error, 1)
	start := time.Now()
	go func() { closed <- s.Close() }()
	if code := expectClose(t, ws); code != websocket.CloseGoingAway {
		t.Fatalf("close code %d, want %d", code, websocket.CloseGoingAway)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
		t.Logf("Close returned in %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(time.Second):
		t.Fatal("Close still waits for the command in flight")
	}
	checkNoConnGoroutines(t)
}

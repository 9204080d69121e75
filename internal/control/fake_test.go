package control

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
)

// fakeBackend is a small engine: it numbers events like the real one, fans them out
// to every watcher and records the commands it runs.
type fakeBackend struct {
	emitMu   sync.Mutex // serialises emit, so events reach sinks in seq order
	mu       sync.Mutex
	seq      uint64
	sinks    map[int]func(api.Event)
	nextSink int
	calls    []fakeCall
	inFlight int
	overlap  bool // two Do calls ran at the same time

	// onWatch, when set, runs inside Watch before it returns, with the new sink.
	onWatch func(f *fakeBackend, sink func(api.Event))
	// do, when set, answers commands; otherwise Do echoes the command.
	do func(ctx context.Context, cmd string, args any) (any, error)
}

type fakeCall struct {
	Cmd  string
	Args any
}

func newFakeBackend() *fakeBackend { return &fakeBackend{sinks: map[int]func(api.Event){}} }

func (f *fakeBackend) Do(ctx context.Context, cmd string, args any) (any, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{cmd, args})
	f.inFlight++
	if f.inFlight > 1 {
		f.overlap = true
	}
	do := f.do
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if do != nil {
		return do(ctx, cmd, args)
	}
	return map[string]any{"cmd": cmd}, nil
}

// Handlers answers every engine command (every declared command control does not
// answer itself) through Do.
func (f *fakeBackend) Handlers() []api.Handler {
	var hs []api.Handler
	for _, s := range api.Specs() {
		if slices.Contains(ownCommands(), s.Name) {
			continue
		}
		hs = append(hs, api.Handler{Spec: s, Run: func(ctx context.Context, args any) (any, error) {
			return f.Do(ctx, s.Name, args)
		}})
	}
	return hs
}

func (f *fakeBackend) Watch(sink func(api.Event)) (api.Event, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextSink
	f.nextSink++
	f.sinks[id] = sink
	hello := api.Event{Seq: f.seq, Event: api.EvHello, Data: api.Hello{
		Protocol: api.ProtocolVersion, Engine: api.EngineName, Version: "test",
	}}
	if f.onWatch != nil {
		f.onWatch(f, sink)
	}
	return hello, func() {
		f.mu.Lock()
		delete(f.sinks, id)
		f.mu.Unlock()
	}
}

// emit numbers an event and hands it to every watcher, as the engine does. Sinks
// run outside f.mu, so a sink that blocks cannot stop a connection from unwatching.
func (f *fakeBackend) emit(name string, data any) uint64 {
	f.emitMu.Lock()
	defer f.emitMu.Unlock()
	f.mu.Lock()
	f.seq++
	ev := api.Event{Seq: f.seq, Event: name, Data: data}
	sinks := slices.Collect(maps.Values(f.sinks))
	f.mu.Unlock()
	for _, sink := range sinks {
		sink(ev)
	}
	return ev.Seq
}

func (f *fakeBackend) watchers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sinks)
}

func (f *fakeBackend) recorded() ([]fakeCall, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...), f.overlap
}

const testToken = "test-token-0123456789"

// startServer starts a server on an ephemeral loopback port and closes it at the end
// of the test. tune, when not nil, adjusts the timing before Start.
func startServer(t *testing.T, cfg Config, b Backend, tune func(*timing)) *Server {
	t.Helper()
	cfg.Port = 0
	if cfg.Logger == nil {
		w := &testWriter{t: t}
		t.Cleanup(w.stop) // runs after Close: cleanups run last-in, first-out
		cfg.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := New(cfg, b)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if tune != nil {
		tune(&s.timing)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// testWriter sends server logs to the test log, so they show only on failure.
type testWriter struct {
	t       *testing.T
	mu      sync.Mutex
	stopped bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(string(p))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}

func ownOrigin(s *Server) string { return "http://127.0.0.1:" + strconv.Itoa(s.Port()) }

// dialWS opens /ws as a page on origin would (and authenticates with an auth
// message, whose response it consumes), or with the token when origin is "".
// Either way the next message is the hello.
func dialWS(t *testing.T, s *Server, origin string) *websocket.Conn {
	t.Helper()
	ws := dialRaw(t, s, origin)
	if origin != "" {
		if r := roundTrip(t, ws, `{"id":"auth","cmd":"auth","args":{}}`); !r.OK {
			t.Fatalf("auth from %s: %+v", origin, r.Error)
		}
	}
	return ws
}

// dialRaw opens /ws as a page on origin would, or with the token when origin is "",
// and sends nothing.
func dialRaw(t *testing.T, s *Server, origin string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	} else {
		h.Set("Authorization", "Bearer "+testToken)
	}
	ws, resp, err := wsDial(s, "", h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial /ws: %v (status %d)", err, status)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return ws
}

func wsDial(s *Server, query string, h http.Header) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second} // no proxy
	u := "ws://127.0.0.1:" + strconv.Itoa(s.Port()) + "/ws" + query
	return d.Dial(u, h)
}

// wire is any server message: an event or a response.
type wire struct {
	Seq    uint64          `json:"seq"`
	Event  string          `json:"event"`
	Data   json.RawMessage `json:"data"`
	ID     string          `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *api.Error      `json:"error"`
}

func readWire(t *testing.T, ws *websocket.Conn) wire {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	kind, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if kind != websocket.TextMessage {
		t.Fatalf("message type %d, want text", kind)
	}
	var m wire
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("server sent invalid JSON %q: %v", data, err)
	}
	return m
}

// send writes one raw text message.
func send(t *testing.T, ws *websocket.Conn, msg string) {
	t.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// roundTrip sends a message and returns the response to it.
func roundTrip(t *testing.T, ws *websocket.Conn, msg string) wire {
	t.Helper()
	send(t, ws, msg)
	for {
		m := readWire(t, ws)
		if m.Event == "" {
			return m
		}
	}
}

// expectClose reads until the server closes and returns the close code.
func expectClose(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("read ended without a close frame: %v", err)
		}
		return ce.Code
	}
}

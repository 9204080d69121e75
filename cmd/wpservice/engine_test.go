package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wpservice/wpservice/internal/config"
)

// runEngine returns only once every goroutine it started has returned: the phone, the
// device watcher and remote mode's http-01 challenge server.
func TestRunEngineLeavesNoGoroutineBehind(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Control.Port, cfg.Control.FallbackPorts = 0, nil
	sockDir := filepath.Join(dir, "run")
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.Control.AdminSocket = filepath.Join(sockDir, "admin.sock")
	cfg.SIP.ListenIP, cfg.SIP.UDPPort, cfg.SIP.TCPPort = "127.0.0.1", 0, 0
	cfg.Audio = config.Audio{Backend: "null", Input: "device", Output: "device", InputDevice: "default", OutputDevice: "default"}
	challengeAddr := freeLoopbackAddr(t)
	cfg.Remote = config.Remote{ // nothing contacts the CA: no client ever handshakes
		Enabled: true, Listen: "127.0.0.1:0", HTTPChallenge: challengeAddr,
		Hosts: []string{"phone.example.com"}, CacheDir: filepath.Join(dir, "acme"),
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	ready := make(chan struct{})
	log := slog.New(&readyHandler{Handler: slog.NewTextHandler(testWriter{t}, nil), ready: ready})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runEngine(ctx, cfg, log) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("runEngine returned before it was ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the engine was not ready in 10 s")
	}
	// The challenge server runs: it sends the configured host from http to https.
	req, err := http.NewRequest(http.MethodGet, "http://"+challengeAddr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "phone.example.com"
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("the http-01 challenge server does not answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("the http-01 challenge server answered %s, want a redirect to https", resp.Status)
	}
	noRedirects.CloseIdleConnections()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runEngine = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runEngine did not return within 10 s of its context ending")
	}
}

// noRedirects is an HTTP client that reports redirects instead of following them.
var noRedirects = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// freeLoopbackAddr is a 127.0.0.1 address with a port that was free a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// readyHandler closes ready when the engine logs that it is ready.
type readyHandler struct {
	slog.Handler
	ready chan struct{}
}

func (h *readyHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "wpservice ready" {
		close(h.ready)
	}
	return h.Handler.Handle(ctx, r)
}

func (h *readyHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &readyHandler{Handler: h.Handler.WithAttrs(as), ready: h.ready}
}

func (h *readyHandler) WithGroup(name string) slog.Handler {
	return &readyHandler{Handler: h.Handler.WithGroup(name), ready: h.ready}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

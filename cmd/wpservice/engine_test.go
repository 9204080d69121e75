package main

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
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

	e := startRunEngine(t, cfg)
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
	e.stop()
	select {
	case err := <-e.ended:
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

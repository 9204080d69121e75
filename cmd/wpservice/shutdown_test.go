package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/wpservice/wpservice/internal/config"
)

// A client that connects while the engine stops does not hold the stop up: the
// whole engine (phone, SIP, control API) is down within 2 s of the signal. The
// registrar here never answers, so the engine spends its goodbye in the
// unregistration, and the client connects right then.
func TestClientConnectingDuringShutdownDoesNotHoldItUp(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	registrar := newSilentRegistrar(t)
	defer registrar.close()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // the data directory is owner-only
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Control.Port, cfg.Control.FallbackPorts = 0, nil
	cfg.Control.AdminSocket = filepath.Join(dir, "admin.sock")
	cfg.SIP.ListenIP = "127.0.0.1"
	cfg.Audio.Backend, cfg.Audio.Input, cfg.Audio.Output = "null", "null", "null"
	cfg.Account = &config.Account{Server: registrar.addr(), Username: "alice", Password: "secret"}

	e := startRunEngine(t, cfg)
	port, logs, stop, ended := e.port, e.logs, e.stop, e.ended
	token, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	connect := func() (*websocket.Conn, <-chan string) {
		d := websocket.Dialer{HandshakeTimeout: time.Second}
		ws, _, err := d.Dial("ws://127.0.0.1:"+port+"/ws", http.Header{"Authorization": {"Bearer " + strings.TrimSpace(string(token))}})
		if err != nil {
			t.Fatalf("connecting: %v", err)
		}
		messages := make(chan string, 100)
		go func() { // read to the end, so that the client answers the server's close frame
			defer close(messages)
			for {
				_, msg, err := ws.ReadMessage()
				if err != nil {
					return
				}
				messages <- string(msg)
			}
		}()
		return ws, messages
	}

	// A first client waits until the engine is registering: it unregisters when it stops.
	first, events := connect()
	defer first.Close()
	waitForMessage(t, events, `"state":"registering"`)

	stop()
	stopped := time.Now()
	select {
	case <-registrar.unregistering:
	case <-time.After(time.Second):
		t.Fatalf("no unregistration within 1 s of the stop\n%s", logs)
	}
	late, lateMessages := connect()
	defer late.Close()

	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("runEngine: %v", err)
		}
		t.Logf("the engine stopped %v after the signal", time.Since(stopped).Round(time.Millisecond))
	case <-time.After(2*time.Second - time.Since(stopped)):
		t.Fatalf("the engine did not stop within 2 s with a client that connected during its shutdown\n%s", logs)
	}
	waitForMessage(t, lateMessages, `"event":"hello"`) // the late client was served, then closed
}

// silentRegistrar is a SIP registrar on loopback UDP that reads every request and
// answers none. It reports each REGISTER with Expires: 0.
type silentRegistrar struct {
	conn          net.PacketConn
	unregistering chan struct{}
	done          chan struct{} // closed when its reader has returned
}

var expiresZero = regexp.MustCompile(`(?mi)^Expires:\s*0\s*$`)

func newSilentRegistrar(t *testing.T) *silentRegistrar {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &silentRegistrar{conn: conn, unregistering: make(chan struct{}, 10), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 64<<10)
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			msg := buf[:n]
			if bytes.HasPrefix(msg, []byte("REGISTER ")) && expiresZero.Match(msg) {
				select {
				case r.unregistering <- struct{}{}:
				default:
				}
			}
		}
	}()
	return r
}

func (r *silentRegistrar) addr() string { return r.conn.LocalAddr().String() }

func (r *silentRegistrar) close() {
	r.conn.Close()
	<-r.done
}

// waitForMessage waits up to a second for a message containing want.
func waitForMessage(t *testing.T, messages <-chan string, want string) {
	t.Helper()
	timeout := time.After(time.Second)
	for {
		select {
		case m, ok := <-messages:
			if !ok {
				t.Fatalf("the connection ended before a message with %s", want)
			}
			if strings.Contains(m, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no message with %s within 1 s", want)
		}
	}
}

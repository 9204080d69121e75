package control

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/localca"
)

// tlsServer starts a server that also serves wss with a leaf from a fresh local CA,
// and returns a client TLS config that trusts only that CA.
func tlsServer(t *testing.T) (*Server, *tls.Config) {
	t.Helper()
	ca, err := localca.Generate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueLeaf(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{
		Token:          testToken,
		AllowedOrigins: []string{crmOrigin},
		TLS:            &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12},
	}, newFakeBackend(), nil)
	return s, &tls.Config{RootCAs: ca.CertPool(), MinVersion: tls.VersionTLS12}
}

func TestWSSOnTheTLSPort(t *testing.T) {
	s, client := tlsServer(t)
	if s.TLSPort() == 0 || s.TLSPort() == s.Port() {
		t.Fatalf("TLS port %d (plain %d)", s.TLSPort(), s.Port())
	}
	tp := strconv.Itoa(s.TLSPort())
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]"} {
		if host == "[::1]" && !haveIPv6Loopback() {
			continue
		}
		t.Run(host, func(t *testing.T) {
			d := websocket.Dialer{TLSClientConfig: client, HandshakeTimeout: 5 * time.Second}
			// Our own page over https is an admin; a provisioned origin is what it was.
			for origin, perm := range map[string]string{"https://localhost:" + tp: api.PermAdmin, crmOrigin: api.PermControl} {
				ws, _, err := d.Dial("wss://"+host+":"+tp+"/ws", http.Header{"Origin": {origin}})
				if err != nil {
					t.Fatalf("wss dial from %s: %v", origin, err)
				}
				r := authAs(t, ws, "")
				expectOK(t, r)
				if !strings.Contains(string(r.Result), `"permission":"`+perm+`"`) {
					t.Errorf("%s: auth result %s, want %s", origin, r.Result, perm)
				}
				if m := readWire(t, ws); m.Event != api.EvHello {
					t.Errorf("got %+v, want hello", m)
				}
				_ = ws.Close()
			}
		})
	}
	t.Run("plain http to the TLS port fails", func(t *testing.T) {
		_, _, err := websocket.DefaultDialer.Dial("ws://127.0.0.1:"+tp+"/ws", http.Header{"Origin": {crmOrigin}})
		if err == nil {
			t.Fatal("plain ws on the TLS port connected")
		}
	})
	t.Run("an untrusting client fails the handshake", func(t *testing.T) {
		d := websocket.Dialer{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}, HandshakeTimeout: 5 * time.Second}
		if _, _, err := d.Dial("wss://localhost:"+tp+"/ws", http.Header{"Origin": {crmOrigin}}); err == nil {
			t.Fatal("a client without our root trusted the leaf")
		}
	})
	t.Run("the Host check holds on the TLS port", func(t *testing.T) {
		d := websocket.Dialer{TLSClientConfig: client, HandshakeTimeout: 5 * time.Second}
		h := http.Header{"Origin": {crmOrigin}, "Host": {"evil.example.com:" + tp}}
		_, resp, err := d.Dial("wss://localhost:"+tp+"/ws", h)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("rebinding Host on wss: %v, want 403", err)
		}
		// And the plain port's own origin is not the TLS port's.
		h = http.Header{"Origin": {"http://127.0.0.1:" + strconv.Itoa(s.Port())}}
		_, resp, err = d.Dial("wss://localhost:"+tp+"/ws", h)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("the plain port's origin on the TLS port: %v, want 403", err)
		}
	})
}

func TestAdminSocket(t *testing.T) {
	s := startServer(t, Config{}, newFakeBackend(), nil) // no token at all
	path := filepath.Join(t.TempDir(), "admin.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ServeAdmin(ln); err != nil {
		t.Fatal(err)
	}
	d := websocket.Dialer{
		HandshakeTimeout: 5 * time.Second,
		NetDialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}
	ws, _, err := d.Dial("ws://wpservice/ws", nil)
	if err != nil {
		t.Fatalf("admin socket dial: %v", err)
	}
	defer ws.Close()
	if m := readWire(t, ws); m.Event != api.EvHello {
		t.Fatalf("got %+v, want hello at once", m)
	}
	expectOK(t, roundTrip(t, ws, `{"id":"1","cmd":"pair.list"}`))
	expectOK(t, roundTrip(t, ws, `{"id":"2","cmd":"account.set","args":{"password":"x"}}`))

	// A browser never gets in through the admin socket.
	_, resp, err := d.Dial("ws://wpservice/ws", http.Header{"Origin": {"http://127.0.0.1:" + strconv.Itoa(s.Port())}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin socket with an Origin: %v, want 403", err)
	}
}

func TestFrameAncestors(t *testing.T) {
	s := startServer(t, Config{FrameAncestors: []string{"https://crm.example.com"}}, newFakeBackend(), nil)
	resp := httpDo(t, s, "GET", "/health", "127.0.0.1:"+strconv.Itoa(s.Port()), nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors https://crm.example.com") || strings.Contains(csp, "'none'") {
		t.Errorf("CSP %q, want frame-ancestors https://crm.example.com", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options %q would forbid the configured ancestors", xfo)
	}
	if _, err := New(Config{FrameAncestors: []string{"*"}}, newFakeBackend()); err == nil {
		t.Error("a wildcard frame ancestor was accepted")
	}
}

func TestRemoteMode(t *testing.T) {
	s, _, store := pairingServer(t, nil, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ServeRemote(ln, []string{"phone.example.com"}); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	dial := func(h http.Header) (*websocket.Conn, *http.Response, error) {
		d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		return d.Dial("ws://127.0.0.1:"+port+"/ws", h)
	}
	host := "phone.example.com:" + port
	tests := []struct {
		name string
		h    http.Header
		want int
	}{
		{"loopback Host refused", http.Header{"Host": {"127.0.0.1:" + port}, "Origin": {crmOrigin}}, http.StatusForbidden},
		{"other name refused", http.Header{"Host": {"evil.example.com:" + port}, "Origin": {crmOrigin}}, http.StatusForbidden},
		{"no origin, no token", http.Header{"Host": {host}}, http.StatusUnauthorized},
		{"loopback page origin refused", http.Header{"Host": {host}, "Origin": {"http://127.0.0.1:" + strconv.Itoa(s.Port())}}, http.StatusSwitchingProtocols},
		{"pairable origin", http.Header{"Host": {host}, "Origin": {crmOrigin}}, http.StatusSwitchingProtocols},
		{"token", http.Header{"Host": {host}, "Authorization": {"Bearer " + testToken}}, http.StatusSwitchingProtocols},
	}
	for _, tc := range tests {
		ws, resp, err := dial(tc.h)
		if ws != nil {
			_ = ws.Close()
		}
		if resp == nil || resp.StatusCode != tc.want {
			t.Errorf("%s: %v, want %d", tc.name, err, tc.want)
		}
	}
	// Even a provisioned origin needs a pairing token here.
	ws, _, err := dial(http.Header{"Host": {host}, "Origin": {"https://admin.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	expectCode(t, authAs(t, ws, ""), api.CodePairingRequired)
	if _, err := store.Approve("https://admin.example.com"); err != nil {
		t.Fatal(err)
	}
	// A program with the token gets control, not admin, from afar.
	tok, _, err := dial(http.Header{"Host": {host}, "Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	readWire(t, tok) // hello
	expectCode(t, roundTrip(t, tok, `{"id":"1","cmd":"account.set","args":{"password":"x"}}`), api.CodeForbidden)
	expectOK(t, roundTrip(t, tok, `{"id":"2","cmd":"call.dial","args":{"to":"100"}}`))
	// The engine's page is not served remotely.
	req, _ := http.NewRequest("GET", "http://127.0.0.1:"+port+"/", nil)
	req.Host = host
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / remotely: %d, want 404", resp.StatusCode)
	}
}

package sipstack

import (
	"bufio"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// readRequest reads one request from r, failing the test when none comes in time.
func readRequest(t *testing.T, conn net.Conn, r *bufio.Reader) *sip.Request {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitFor))
	var head strings.Builder
	length := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("no request: %v", err)
		}
		if head.Len() == 0 && line == "\r\n" {
			continue // a keep-alive
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
		if name, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		t.Fatal(err)
	}
	msg, err := sip.ParseMessage(append([]byte(head.String()), body...))
	req, ok := msg.(*sip.Request)
	if err != nil || !ok {
		t.Fatalf("not a request (%v): %v", err, msg)
	}
	return req
}

// A registrar over TCP or TLS sends down the connection the stack dialed to
// register what any other source might: a malformed request is answered 400 with
// its fault and a request too large 513, by the door as on an accepted connection,
// and the requests after each are served on the same connection.
func TestDialedConnectionPassesTheDoor(t *testing.T) {
	for _, tp := range []string{"tcp", "tls"} {
		t.Run(tp, func(t *testing.T) { testDialedConnectionPassesTheDoor(t, tp) })
	}
}

func testDialedConnectionPassesTheDoor(t *testing.T, tp string) {
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tcp.Close() })
	_ = tcp.SetDeadline(time.Now().Add(waitFor))
	var ln net.Listener = tcp
	cfg := Config{ListenIP: "127.0.0.1", UserAgent: "wpservice-test", Clock: newFakeClock(), Logger: slog.New(slog.DiscardHandler)}
	if tp == "tls" {
		cert, pool := selfSigned(t)
		ln = tls.NewListener(tcp, &tls.Config{Certificates: []tls.Certificate{cert}})
		cfg.TLSConfig = &tls.Config{RootCAs: pool}
	}
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SetAccount(Account{Server: ln.Addr().String(), Username: "alice", Transport: tp}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	conn, err := ln.Accept()
	if err != nil {
		t.Fatalf("the stack dialed no connection: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &doorClient{proto: tp, tcp: conn, r: bufio.NewReader(conn)}
	reg := readRequest(t, conn, c.r)
	if reg.Method != sip.REGISTER {
		t.Fatalf("first request %s, want REGISTER", reg.Method)
	}
	ok := sip.NewResponseFromRequest(reg, 200, "OK", nil)
	if ct := reg.Contact(); ct != nil {
		ok.AppendHeader(sip.NewHeader("Contact", ct.Value()+";expires=3600"))
	}
	if _, err := conn.Write([]byte(ok.String())); err != nil {
		t.Fatal(err)
	}

	malformed := []byte(strings.Replace(string(c.request("OPTIONS", "", "", "")), "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1))
	tooLarge := c.request("OPTIONS", "", "text/plain", strings.Repeat("x", maxRequest))
	for _, tt := range []struct {
		req    []byte
		code   int
		reason string
	}{
		{malformed, 400, "Bad Request (CSeq method does not match the Request-Line)"},
		{c.request("OPTIONS", "", "", ""), 200, "OK"},
		{tooLarge, 513, "Message Too Large"},
		{c.request("OPTIONS", "", "", ""), 200, "OK"},
	} {
		c.send(t, st, tt.req)
		if res := c.next(t); res.StatusCode != tt.code || res.Reason != tt.reason {
			t.Fatalf("answer %d %s, want %d %s", res.StatusCode, res.Reason, tt.code, tt.reason)
		}
	}
}

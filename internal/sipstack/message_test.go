package sipstack

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// handleMessage answers a MESSAGE 200 once its credentials pass (peer.password).
func (p *peer) handleMessage(req *sip.Request, tx sip.ServerTransaction) {
	if p.authorize(req, tx) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	}
}

// peerMessage sends a MESSAGE from the peer to hostPort and returns the answer.
func peerMessage(t *testing.T, p *peer, hostPort, contentType string, body []byte) *sip.Response {
	t.Helper()
	res, err := peerMessageWithin(p, hostPort, contentType, body, waitFor)
	if err != nil {
		t.Fatalf("MESSAGE: %v", err)
	}
	return res
}

func peerMessageWithin(p *peer, hostPort, contentType string, body []byte, within time.Duration) (*sip.Response, error) {
	host, port, _ := splitHostPort(hostPort)
	req := sip.NewRequest(sip.MESSAGE, sip.Uri{Scheme: "sip", User: "alice", Host: host, Port: port})
	if contentType != "" {
		req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	}
	req.SetBody(body)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	return p.cli.Do(ctx, req)
}

// nextMessage is the recorder's next event, which must be a Message.
func (r *recorder) message() Message {
	r.t.Helper()
	ev, ok := r.next().(Message)
	if !ok {
		r.t.Fatalf("event %#v is not a Message", ev)
	}
	return ev
}

// A MESSAGE goes to the target through the account's server as plain UTF-8 text,
// with credentials once challenged, and its answer is the result.
func TestMessageSentWithCredentials(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) { p.password, p.challenge = "secret", 407 })
	st, _ := newTestStack(t, nil, nil)
	acc := Account{Server: p.hostPort(), Username: "alice", Password: "secret", DisplayName: "Alice"}
	if err := st.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	const text = "Grüße, 世界 👋"
	got := make(chan MessageResult, 1)
	go func() {
		res, err := st.SendMessage(context.Background(), target, text)
		if err != nil {
			t.Error(err)
		}
		got <- res
	}()

	first := p.expect(sip.MESSAGE)
	if h := first.GetHeader("Proxy-Authorization"); h != nil {
		t.Fatalf("credentials before the challenge: %s", h.Value())
	}
	req := p.expect(sip.MESSAGE)
	if present, ok := p.checkAuth(req, "Proxy-Authorization"); !present || !ok {
		t.Fatalf("the MESSAGE after the 407 has no valid credentials:\n%s", req)
	}
	if ct := req.ContentType(); ct == nil || ct.Value() != "text/plain;charset=UTF-8" {
		t.Errorf("Content-Type %v, want text/plain;charset=UTF-8", ct)
	}
	if string(req.Body()) != text {
		t.Errorf("body %q, want %q", req.Body(), text)
	}
	if req.Recipient.User != "bob" || req.From().Address.User != "alice" || req.From().DisplayName != `"Alice"` && req.From().DisplayName != "Alice" {
		t.Errorf("MESSAGE to %s from %s", req.Recipient.String(), req.From().Value())
	}
	if req.Contact() != nil {
		t.Errorf("a MESSAGE outside a dialog carries a Contact: %s", req.Contact().Value())
	}
	if via := req.Via(); req.Source() != st.UDPAddr() || via.Port != st.udpLaddr.Port || !via.Params.Has("rport") {
		t.Errorf("MESSAGE from %s with Via %s: want our listener %s, with rport", req.Source(), via.Value(), st.UDPAddr())
	}
	select {
	case res := <-got:
		if res.Code != 200 {
			t.Fatalf("result %+v, want 200", res)
		}
	case <-time.After(waitFor):
		t.Fatal("SendMessage did not return")
	}
}

// A refusal is the result; a text the stack cannot send is refused before anything goes.
func TestMessageRefusals(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) { p.password, p.wrongCode = "secret", 403 })
	st, _ := newTestStack(t, nil, nil)
	acc := Account{Server: p.hostPort(), Username: "alice", Password: "wrong"}
	if err := st.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	res, err := st.SendMessage(context.Background(), "sip:bob@"+p.hostPort(), "hi")
	if err != nil || res.Code != 403 {
		t.Fatalf("with a wrong password: %+v, %v; want 403", res, err)
	}
	for name, text := range map[string]string{
		"empty": "", "too long": strings.Repeat("x", MaxMessageText+1), "not UTF-8": "\xff\xfe",
	} {
		if _, err := st.SendMessage(context.Background(), "sip:bob@"+p.hostPort(), text); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: %v, want ErrBadMessage", name, err)
		}
	}
	if _, err := st.SendMessage(context.Background(), "bob\r\nX: y", "hi"); !errors.Is(err, ErrBadTarget) {
		t.Errorf("a target breaking a header: %v, want ErrBadTarget", err)
	}
}

// A MESSAGE received is answered 200 and reported; one the stack does not take
// gets the code that says why, and is not reported.
func TestMessageReceived(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	const text = "Привет 🌍"
	res := peerMessage(t, p, st.UDPAddr(), "text/plain; charset=utf-8", []byte(text))
	if res.StatusCode != 200 {
		t.Fatalf("MESSAGE answered %d, want 200", res.StatusCode)
	}
	if m := rec.message(); m.Text != text || m.FromUser != "peer" && m.From == "" {
		t.Fatalf("Message %+v, want the text %q", m, text)
	}

	refused := []struct {
		name, contentType string
		body              []byte
		code              int
	}{
		{"an instant message in XML", "application/im-iscomposing+xml", []byte("<x/>"), 415},
		{"another charset", "text/plain;charset=iso-8859-1", []byte("caf\xe9"), 415},
		{"no Content-Type", "", []byte("hi"), 415},
		{"a text over the bound", "text/plain", []byte(strings.Repeat("y", MaxMessageText+1)), 413},
		{"no text", "text/plain", nil, 400},
		{"bytes that are not UTF-8", "text/plain", []byte("\xff\xfe"), 400},
	}
	for _, tt := range refused {
		res := peerMessage(t, p, st.UDPAddr(), tt.contentType, tt.body)
		if res.StatusCode != tt.code {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.code)
		}
		if tt.code == 415 {
			if h := res.GetHeader("Accept"); h == nil || h.Value() != "text/plain;charset=UTF-8" {
				t.Errorf("%s: 415 without Accept: text/plain", tt.name)
			}
		}
	}
	// over TCP too, and only the texts taken were reported
	tcp := peerMessageOverTCP(t, st, "text/plain", "over TCP")
	if tcp != 200 {
		t.Fatalf("MESSAGE over TCP answered %d", tcp)
	}
	if m := rec.message(); m.Text != "over TCP" {
		t.Fatalf("Message %+v, want the one over TCP (the refused ones reported?)", m)
	}
}

// peerMessageOverTCP writes a MESSAGE on a TCP connection of its own and returns
// the status code of the answer.
func peerMessageOverTCP(t *testing.T, st *Stack, contentType, text string) int {
	t.Helper()
	return peerMessageToOverTCP(t, st, "alice", contentType, text)
}

// peerMessageToOverTCP is peerMessageOverTCP to user.
func peerMessageToOverTCP(t *testing.T, st *Stack, user, contentType, text string) int {
	t.Helper()
	conn, err := net.Dial("tcp", st.TCPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	msg := "MESSAGE sip:" + user + "@" + st.TCPAddr() + ";transport=tcp SIP/2.0\r\n" +
		"Via: SIP/2.0/TCP " + local + ";branch=z9hG4bK-" + newTag() + "\r\n" +
		"Max-Forwards: 70\r\nFrom: <sip:tcp@127.0.0.1>;tag=" + newTag() + "\r\nTo: <sip:" + user + "@127.0.0.1>\r\n" +
		"Call-ID: " + newCallID() + "\r\nCSeq: 1 MESSAGE\r\nContent-Type: " + contentType + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(text)) + "\r\n\r\n" + text
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(waitFor))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no answer over TCP: %v", err)
	}
	line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] != "SIP/2.0" {
		t.Fatalf("answer %q", buf[:n])
	}
	code, _ := strconv.Atoi(fields[1])
	return code
}

// A stranger's MESSAGE is dropped unanswered and unreported, as any other request
// from a source the filter refuses; once the sender is the account's server, its
// MESSAGE is taken.
func TestMessageFromStrangerRefused(t *testing.T) {
	ip := hostIP(t)
	p := newPeerOn(t, ip)
	st, rec := newWildcardStack(t, Config{})
	us := net.JoinHostPort(ip, portOf(st))
	if res, err := peerMessageWithin(p, us, "text/plain", []byte("from a stranger"), time.Second); err == nil {
		t.Fatalf("a stranger's MESSAGE was answered %d", res.StatusCode)
	}
	if err := st.SetAccount(Account{Server: p.hostPort(), Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if res := peerMessage(t, p, us, "text/plain", []byte("from the server")); res.StatusCode != 200 {
		t.Fatalf("the server's MESSAGE answered %d", res.StatusCode)
	}
	if m := rec.message(); m.Text != "from the server" {
		t.Fatalf("first Message %q: the stranger's was reported", m.Text)
	}
}

// A MESSAGE to a user of the account's domain goes to the outbound proxy, with a
// Route naming it, as a call's INVITE does.
func TestMessageGoesThroughTheOutboundProxy(t *testing.T) {
	proxy := newPeer(t)
	st, _ := newTestStack(t, nil, nil)
	acc := Account{Server: "127.0.0.2:5999", Username: "alice", OutboundProxy: proxy.hostPort()}
	if err := st.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan MessageResult, 1)
	go func() {
		res, _ := st.SendMessage(context.Background(), target, "via the proxy")
		done <- res
	}()
	req := proxy.expect(sip.MESSAGE)
	if req.Recipient.Host != "127.0.0.2" || req.Recipient.User != "bob" {
		t.Errorf("Request-URI %s, want bob at the account's server", req.Recipient.String())
	}
	if r := req.GetHeader("Route"); r == nil || !strings.Contains(r.Value(), proxy.hostPort()) || !strings.Contains(r.Value(), ";lr") {
		t.Errorf("Route %v, want the outbound proxy, loose routing", r)
	}
	if res := <-done; res.Code != 200 {
		t.Errorf("result %+v", res)
	}
}

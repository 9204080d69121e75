package sipstack

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// doorClient talks to a stack over UDP or TCP from one socket, and reads the
// answers that come back on it: a TCP connection's, or the UDP socket's that the
// Via names with rport.
type doorClient struct {
	proto string
	udp   *net.UDPConn
	tcp   net.Conn
	r     *bufio.Reader
	n     int // requests sent, for their branches and Call-IDs
}

func newDoorClient(t *testing.T, st *Stack, proto string) *doorClient {
	t.Helper()
	c := &doorClient{proto: proto}
	if proto == "udp" {
		c.udp = udpFrom(t, "127.0.0.1")
		return c
	}
	conn, err := net.Dial("tcp", st.TCPAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c.tcp, c.r = conn, bufio.NewReader(conn)
	return c
}

// request is a request of method from the client, with extra header lines and a
// body of type ctype.
func (c *doorClient) request(method, extra, ctype, body string) []byte {
	c.n++
	local := c.localAddr()
	if ctype != "" {
		extra += "Content-Type: " + ctype + "\r\n"
	}
	return []byte(fmt.Sprintf("%s sip:alice@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/%s %s;branch=z9hG4bK-answers-%d;rport\r\n"+
		"From: <sip:bob@127.0.0.1>;tag=b%d\r\nTo: <sip:alice@127.0.0.1>\r\n"+
		"Call-ID: answers-%d\r\nCSeq: 1 %s\r\nMax-Forwards: 70\r\n%s"+
		"Content-Length: %d\r\n\r\n%s",
		method, strings.ToUpper(c.proto), local, c.n, c.n, c.n, method, extra, len(body), body))
}

func (c *doorClient) localAddr() net.Addr {
	if c.udp != nil {
		return c.udp.LocalAddr()
	}
	return c.tcp.LocalAddr()
}

func (c *doorClient) send(t *testing.T, st *Stack, b []byte) {
	t.Helper()
	if c.udp != nil {
		sendTo(t, c.udp, st, b)
		return
	}
	if _, err := c.tcp.Write(b); err != nil {
		t.Fatal(err)
	}
}

// next reads the next response, failing the test when none comes in time.
func (c *doorClient) next(t *testing.T) *sip.Response {
	t.Helper()
	if c.udp != nil {
		res := answer(t, c.udp, waitFor)
		if res == nil {
			t.Fatal("no answer")
		}
		return res
	}
	_ = c.tcp.SetReadDeadline(time.Now().Add(waitFor))
	var head strings.Builder
	length := 0
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatalf("no answer: %v", err)
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
	if _, err := io.ReadFull(c.r, body); err != nil {
		t.Fatal(err)
	}
	msg, err := sip.ParseMessage(append([]byte(head.String()), body...))
	if err != nil {
		t.Fatalf("unparsable answer: %v", err)
	}
	res, ok := msg.(*sip.Response)
	if !ok {
		t.Fatalf("a request came instead of an answer: %v", msg)
	}
	return res
}

// TestRefusalsCarryWhatTheyMust: over both transports, 405 carries Allow, 420
// Unsupported and 415 Accept (RFC 3261 sections 8.2.1, 8.2.2.3, 8.2.3), and no
// ACK is ever answered, not even a malformed one: the next answer on the socket is
// the probe's after them.
func TestRefusalsCarryWhatTheyMust(t *testing.T) {
	for _, proto := range []string{"udp", "tcp"} {
		t.Run(proto, func(t *testing.T) {
			st, _ := newTestStack(t, nil, nil)
			c := newDoorClient(t, st, proto)
			for _, tt := range []struct {
				req    []byte
				code   int
				header string
				want   string
			}{
				{c.request("PUBLISH", "", "", ""), 405, "Allow", allowMethods},
				{c.request("OPTIONS", "Require: no-such-extension\r\n", "", ""), 420, "Unsupported", "no-such-extension"},
				{c.request("INVITE", "Contact: <sip:bob@127.0.0.1>\r\n", "text/plain", "hello"), 415, "Accept", "application/sdp"},
			} {
				c.send(t, st, tt.req)
				res := c.next(t)
				if res.StatusCode != tt.code {
					t.Fatalf("answer %d %s, want %d", res.StatusCode, res.Reason, tt.code)
				}
				if h := res.GetHeader(tt.header); h == nil || h.Value() != tt.want {
					t.Fatalf("%d: %s %v, want %q", tt.code, tt.header, h, tt.want)
				}
			}

			ack := c.request("ACK", "", "", "")
			badACK := []byte(strings.Replace(string(c.request("ACK", "", "", "")), "CSeq: 1 ACK", "CSeq: 1 INVITE", 1))
			for _, b := range [][]byte{ack, badACK} {
				c.send(t, st, b)
			}
			c.send(t, st, c.request("OPTIONS", "", "", ""))
			if res := c.next(t); res.StatusCode != 200 || res.CSeq().MethodName != sip.OPTIONS {
				t.Fatalf("after the ACKs: %d %s to %s, want the probe's 200", res.StatusCode, res.Reason, res.CSeq().MethodName)
			}
		})
	}
}

// TestFrontDoorTCPAnswersAndGoesOn: on one TCP connection a malformed request is
// answered 400 with its fault and a request too large 513, by the door, bytes that
// are no message are dropped, and the requests after each are served on the same
// connection.
func TestFrontDoorTCPAnswersAndGoesOn(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	c := newDoorClient(t, st, "tcp")
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
		{[]byte("HELLO\r\nContent-Length: 0\r\n\r\n"), 0, ""}, // no answer due
		{c.request("OPTIONS", "", "", ""), 200, "OK"},
	} {
		c.send(t, st, tt.req)
		if tt.code == 0 {
			continue
		}
		if res := c.next(t); res.StatusCode != tt.code || res.Reason != tt.reason {
			t.Fatalf("answer %d %s, want %d %s", res.StatusCode, res.Reason, tt.code, tt.reason)
		}
	}
}

// TestInsufAnsweredAtTheDoor: an INVITE without From, To and Call-ID (RFC 4475's
// insuf) is answered 400 with the first header it lacks, by the door over both
// transports: no 100 Trying comes before it, as it would from the INVITE handler.
func TestInsufAnsweredAtTheDoor(t *testing.T) {
	for _, proto := range []string{"udp", "tcp"} {
		t.Run(proto, func(t *testing.T) {
			st, rec := newTestStack(t, nil, nil)
			c := newDoorClient(t, st, proto)
			var lines []string
			for _, line := range strings.Split(string(c.request("INVITE", "", "application/sdp", string(testSDP(4000)))), "\r\n") {
				name, _, _ := strings.Cut(line, ":")
				if name != "From" && name != "To" && name != "Call-ID" {
					lines = append(lines, line)
				}
			}
			c.send(t, st, []byte(strings.Join(lines, "\r\n")))
			if res := c.next(t); res.StatusCode != 400 || res.Reason != "Bad Request (missing From)" {
				t.Fatalf("answer %d %s, want 400 Bad Request (missing From)", res.StatusCode, res.Reason)
			}
			c.send(t, st, c.request("OPTIONS", "", "", ""))
			if res := c.next(t); res.StatusCode != 200 {
				t.Fatalf("probe answered %d, want 200", res.StatusCode)
			}
			select {
			case ev := <-rec.ch:
				t.Fatalf("the stack told of the request: %+v", ev)
			default:
			}
		})
	}
}

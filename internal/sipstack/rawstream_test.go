package sipstack

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// rawStreamPeer is rawPeer over one TCP connection: hand-written SIP sent, and the
// messages that come back cut by their Content-Length.
type rawStreamPeer struct {
	t    *testing.T
	conn net.Conn
	rd   *bufio.Reader
}

func newRawStreamPeer(t *testing.T, to string) *rawStreamPeer {
	t.Helper()
	conn, err := net.Dial("tcp", to)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawStreamPeer{t: t, conn: conn, rd: bufio.NewReader(conn)}
}

func (r *rawStreamPeer) addr() string { return r.conn.LocalAddr().String() }

// send writes one request, its lines joined with CRLF and Content-Length added.
func (r *rawStreamPeer) send(body string, lines ...string) {
	r.t.Helper()
	msg := strings.Join(lines, "\r\n") + fmt.Sprintf("\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	if _, err := r.conn.Write([]byte(msg)); err != nil {
		r.t.Fatal(err)
	}
}

// final reads messages until a final response, which it returns; nil when none
// comes within the wait. Requests of the stack's are skipped.
func (r *rawStreamPeer) final(wait time.Duration) *sip.Response {
	r.t.Helper()
	_ = r.conn.SetReadDeadline(time.Now().Add(wait))
	for {
		head, err := textproto.NewReader(r.rd).ReadLine()
		if err != nil {
			return nil
		}
		if head == "" {
			continue // a keep-alive's CRLF
		}
		msg := head + "\r\n"
		length := 0
		for {
			line, err := textproto.NewReader(r.rd).ReadLine()
			if err != nil {
				return nil
			}
			msg += line + "\r\n"
			if line == "" {
				break
			}
			if name, v, ok := strings.Cut(line, ":"); ok && (strings.EqualFold(name, "Content-Length") || name == "l") {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r.rd, body); err != nil {
			return nil
		}
		parsed, err := sip.ParseMessage(append([]byte(msg), body...))
		if err != nil {
			r.t.Fatalf("unparsable message %q: %v", msg, err)
		}
		if res, ok := parsed.(*sip.Response); ok && !res.IsProvisional() {
			return res
		}
	}
}

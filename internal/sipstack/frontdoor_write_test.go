package sipstack

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"
)

// TestFrontDoorAnswersNoReaderInTime: a peer that sends requests, answered by the
// door itself (505) or by the stack (200 to OPTIONS), and never reads the answers,
// has its connection closed once an answer cannot be written within the write
// timeout; it cannot hold the door's reading goroutine or the stack's, nor the
// connection. Each request names many Vias, so that each answer, which repeats
// them, is large and the socket buffers fill within the rate limit's burst.
func TestFrontDoorAnswersNoReaderInTime(t *testing.T) {
	for _, version := range []string{"SIP/7.0", "SIP/2.0"} {
		t.Run(version, func(t *testing.T) { floodWithoutReading(t, version) })
	}
}

func floodWithoutReading(t *testing.T, version string) {
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", OnEvent: rec.on, Logger: slog.New(slog.DiscardHandler),
		doorWriteTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := newDoorClient(t, st, "tcp")
	_ = c.tcp.(*net.TCPConn).SetReadBuffer(4096)
	vias := strings.Repeat(fmt.Sprintf("Via: SIP/2.0/TCP %s;branch=z9hG4bK-%s\r\n", c.localAddr(), strings.Repeat("v", 200)), 100)

	deadline := time.Now().Add(waitFor)
	_ = c.tcp.SetWriteDeadline(deadline)
	for sent := 0; ; sent++ {
		req := bytes.Replace(c.request("OPTIONS", vias, "", ""), []byte("SIP/2.0\r\n"), []byte(version+"\r\n"), 1)
		if _, err := c.tcp.Write(req); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("after %d requests the door still holds the connection, blocked on its answers", sent)
			}
			break // reset or broken pipe: the door closed the connection
		}
	}
	for st.door.conns.open() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still counted", st.door.conns.open())
		}
		time.Sleep(10 * time.Millisecond) // the close is counted on sipgo's goroutine, which tells no one
	}
}

// TestFrontDoorLongMethod: a method has no bounded length (RFC 3261 token): a
// stranger's request of a 40-character method is dropped as any stranger's, and
// the same from loopback reaches the stack and is answered 501, over UDP and TCP.
func TestFrontDoorLongMethod(t *testing.T) {
	method := strings.Repeat("LONGMETHOD", 4)
	d := newDoor(filterStack(Config{}))
	if v := d.judge(judgedRequest(method, "x"), netip.MustParseAddr("192.0.2.7")); v != drop {
		t.Fatalf("stranger's request of a long method: verdict %d, want drop", v)
	}
	for _, proto := range []string{"udp", "tcp"} {
		t.Run(proto, func(t *testing.T) {
			st, _ := newTestStack(t, nil, nil)
			c := newDoorClient(t, st, proto)
			c.send(t, st, c.request(method, "", "", ""))
			if res := c.next(t); res.StatusCode != 501 && res.StatusCode != 405 {
				t.Fatalf("answer %d %s, want 501 or 405", res.StatusCode, res.Reason)
			}
		})
	}
}

package sipstack

import (
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
)

// New returns with the UDP socket in sipgo's pool, where a request's first send
// looks for it: every time, not only when sipgo's goroutine happens to be quick.
func TestNewReturnsWithTheUDPSocketServing(t *testing.T) {
	for i := 0; i < 20; i++ {
		st, err := New(Config{ListenIP: "127.0.0.1", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		c, err := st.ua.TransportLayer().GetConnection("udp", st.udpLaddr.String())
		if err != nil || c == nil {
			st.Close()
			t.Fatalf("start %d: the UDP socket is not in sipgo's pool when New returns (%v)", i+1, err)
		}
		_, _ = c.TryClose() // the reference GetConnection took
		st.Close()
	}
}

func TestFirstReadConnSaysWhenReadingBegins(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &firstReadConn{PacketConn: pc, reading: make(chan struct{})}
	select {
	case <-c.reading:
		t.Fatal("reading closed before any read")
	default:
	}
	pc.Close()
	_, _, _ = c.ReadFrom(make([]byte, 10)) // fails at once: the socket is closed
	_, _, _ = c.ReadFrom(make([]byte, 10)) // a second read closes nothing twice
	select {
	case <-c.reading:
	default:
		t.Fatal("reading still open after a read")
	}
}

func TestWaitServingReportsATransportThatStopped(t *testing.T) {
	served := make(chan error, 1)
	served <- errors.New("use of closed network connection")
	err := waitServing(make(chan struct{}), served)
	if err == nil || !strings.Contains(err.Error(), "closed network connection") {
		t.Fatalf("waitServing = %v, want the transport's error", err)
	}
	reading := make(chan struct{})
	close(reading)
	if err := waitServing(reading, make(chan error)); err != nil {
		t.Fatalf("waitServing after the first read = %v", err)
	}
}

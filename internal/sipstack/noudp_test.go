package sipstack

import (
	"log/slog"
	"net"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// With NoUDP the stack opens no UDP socket (its port stays free for anyone) and
// still registers over TCP.
func TestNoUDPListensOnTCPOnlyAndRegistersOverIt(t *testing.T) {
	probe, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	udpPort := probe.LocalAddr().(*net.UDPAddr).Port
	probe.Close()

	rec := newRecorder(t)
	clock := newFakeClock()
	st, err := New(Config{ListenIP: "127.0.0.1", UDPPort: udpPort, NoUDP: true, OnEvent: rec.on,
		Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	again, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: udpPort})
	if err != nil {
		t.Fatalf("UDP port %d taken with NoUDP: %v", udpPort, err)
	}
	again.Close()
	if c, err := net.Dial("tcp", st.TCPAddr()); err != nil {
		t.Fatalf("no TCP listener at %s: %v", st.TCPAddr(), err)
	} else {
		c.Close()
	}

	p := newPeer(t)
	registered(t, st, rec, clock, Account{Server: p.tcpHostPort(), Username: "alice", Transport: "tcp"})
	if req := p.expect(sip.REGISTER); req.Transport() != "TCP" {
		t.Errorf("REGISTER over %s, want TCP", req.Transport())
	}
}

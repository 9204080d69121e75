package testpeer

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/stun/v3"
)

// askRelay is the engine's side: c asks the relay's STUN server for its public
// address and gets the relay port that stands for it.
func askRelay(t *testing.T, r *Relay, c *net.UDPConn) netip.AddrPort {
	t.Helper()
	req := stun.MustBuild(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if _, err := c.WriteToUDPAddrPort(req.Raw, netip.MustParseAddrPort(r.STUNAddr)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no STUN answer: %v", err)
	}
	resp := &stun.Message{Raw: buf[:n]}
	var mapped stun.XORMappedAddress
	if err := resp.Decode(); err != nil || mapped.GetFrom(resp) != nil {
		t.Fatalf("STUN answer %v: %v", resp, err)
	}
	addr, _ := netip.AddrFromSlice(mapped.IP)
	return netip.AddrPortFrom(addr.Unmap(), uint16(mapped.Port))
}

func listenLoopback(t *testing.T, port int) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// The relay drops exactly the injected share of the peer's RTP, passes its
// RTCP and the engine's packets untouched, and hands out an RTP/RTCP port pair.
func TestRelayDropsTheInjectedShare(t *testing.T) {
	r := StartRelay(t, RelayOptions{Loss: 0.15, Jitter: 5 * time.Millisecond, Seed: 1})
	var engineRTP, engineRTCP *net.UDPConn
	for engineRTP == nil { // an even port and the odd one above it, as the engine binds
		c := listenLoopback(t, 0)
		if port := c.LocalAddr().(*net.UDPAddr).Port; port%2 == 0 {
			if mate, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port + 1}); err == nil {
				t.Cleanup(func() { mate.Close() })
				engineRTP, engineRTCP = c, mate
			}
		}
	}
	rtpVia, rtcpVia := askRelay(t, r, engineRTP), askRelay(t, r, engineRTCP)
	if rtpVia.Port() == uint16(engineRTP.LocalAddr().(*net.UDPAddr).Port) || rtcpVia == rtpVia {
		t.Fatalf("relay ports %v, %v", rtpVia, rtcpVia)
	}
	peer := listenLoopback(t, 0)

	const sent = 200
	for i := range sent {
		pkt := []byte{0x80, 0, byte(i >> 8), byte(i), 0, 0, 0, 0, 0, 0, 0, 1}
		if _, err := peer.WriteToUDPAddrPort(pkt, rtpVia); err != nil {
			t.Fatal(err)
		}
	}
	rr := []byte{0x80, 201, 0, 1, 0, 0, 0, 1} // an empty RTCP RR, muxed on the RTP port
	for range 10 {
		_, _ = peer.WriteToUDPAddrPort(rr, rtpVia)
	}
	got, rtcp := 0, 0
	buf := make([]byte, 1500)
	_ = engineRTP.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	for {
		n, err := engineRTP.Read(buf)
		if err != nil {
			break
		}
		if isRTCPPacket(buf[:n]) {
			rtcp++
		} else {
			got++
		}
	}
	if dropped, passed := r.Counts(); got != sent*85/100 || dropped != sent*15/100 || passed != got || rtcp != 10 {
		t.Errorf("engine got %d RTP and %d RTCP; relay dropped %d, passed %d; want %d, 10, %d, %d",
			got, rtcp, dropped, passed, sent*85/100, sent*15/100, sent*85/100)
	}

	// The engine's packets go back to the peer, from the relay's port.
	if _, err := engineRTP.WriteToUDPAddrPort([]byte{0x80, 0, 0, 1}, rtpVia); err != nil {
		t.Fatal(err)
	}
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, from, err := peer.ReadFromUDPAddrPort(buf); err != nil || from != rtpVia {
		t.Errorf("engine to peer: from %v, %v", from, err)
	}
}

package media

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/stun/v3"
)

// publicIP stands for a NAT router's public address in the STUN answers of
// these tests: the loopback server maps every source to it, port unchanged.
var publicIP = netip.MustParseAddr("203.0.113.9")

// startSTUN runs a STUN server on loopback and returns its "host:port". Each
// Binding Request it reads goes, with its source, to reply, which writes to
// conn what the test wants the client to get back, or nothing.
func startSTUN(t *testing.T, reply func(conn *net.UDPConn, req *stun.Message, src *net.UDPAddr)) string {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, maxPacket)
		for {
			n, src, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
			if req.Decode() == nil && req.Type == stun.BindingRequest {
				reply(conn, req, src)
			}
		}
	}()
	return conn.LocalAddr().String()
}

// bindingSuccess is a Binding success answer for transaction id naming addr.
func bindingSuccess(t *testing.T, id [stun.TransactionIDSize]byte, addr netip.AddrPort) []byte {
	t.Helper()
	m, err := stun.Build(stun.NewTransactionIDSetter(id), stun.BindingSuccess,
		&stun.XORMappedAddress{IP: addr.Addr().AsSlice(), Port: int(addr.Port())}, stun.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	return m.Raw
}

// TestOpenLearnsThePublicAddressFromTheRTPSocket: the Binding Request leaves
// from the RTP socket (the server sees its port), the XOR-MAPPED-ADDRESS of
// the answer becomes PublicAddr, and what comes before the answer (an RTP
// packet, another transaction's answer) is dropped. The RTP reader then
// works as ever: the STUN exchange left the socket without a deadline.
func TestOpenLearnsThePublicAddressFromTheRTPSocket(t *testing.T) {
	server := startSTUN(t, func(conn *net.UDPConn, req *stun.Message, src *net.UDPAddr) {
		conn.WriteToUDP(rawPacket(t, testPT, 1, 0, 5, false, nil), src)
		conn.WriteToUDP(bindingSuccess(t, stun.NewTransactionID(), netip.MustParseAddrPort("198.51.100.1:1000")), src)
		conn.WriteToUDP(bindingSuccess(t, req.TransactionID, netip.AddrPortFrom(publicIP, uint16(src.Port))), src)
	})
	s := openStream(t, Config{STUNServer: server})

	if got, want := s.PublicAddr(), netip.AddrPortFrom(publicIP, uint16(s.LocalPort())); got != want {
		t.Fatalf("PublicAddr = %v, want %v: the request must leave from the RTP socket and the answer's address be taken", got, want)
	}
	peer := openStream(t, Config{})
	if err := s.Start(Params{Remote: addrOf(peer), Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	if err := peer.Start(Params{Remote: addrOf(s), Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	if err := peer.WriteFrame(make([]int16, 160)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "RTP after the STUN exchange", func() bool { return s.Stats().PacketsReceived == 1 })
}

// TestOpenFallsBackWhenSTUNIsSilent: a server that does not answer gets the
// request twice, one timeout apart; Open then returns with no public address
// (the SDP carries the local one), and an answer arriving late is dropped by
// the RTP reader, not taken for RTP.
func TestOpenFallsBackWhenSTUNIsSilent(t *testing.T) {
	const timeout = 50 * time.Millisecond
	var tries atomic.Int32
	var last atomic.Pointer[stun.Message]
	server := startSTUN(t, func(_ *net.UDPConn, req *stun.Message, _ *net.UDPAddr) {
		tries.Add(1)
		last.Store(req)
	})
	start := time.Now()
	s := openStream(t, Config{STUNServer: server, STUNTimeout: timeout})
	elapsed := time.Since(start)

	if s.PublicAddr().IsValid() {
		t.Errorf("PublicAddr = %v with no answer, want none", s.PublicAddr())
	}
	if n := tries.Load(); n != stunTries {
		t.Errorf("the server got %d requests, want %d", n, stunTries)
	}
	if elapsed < stunTries*timeout || elapsed > stunTries*timeout+time.Second {
		t.Errorf("Open took %v, want about %v (%d tries of %v)", elapsed, stunTries*timeout, stunTries, timeout)
	}

	if err := s.Start(Params{Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}, Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	late, err := net.DialUDP("udp", nil, addrOf(s))
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	late.Write(bindingSuccess(t, last.Load().TransactionID, netip.AddrPortFrom(publicIP, 1)))
	late.Write(rawPacket(t, testPT, 1, 0, 5, false, nil))
	eventually(t, "the late answer dropped and the RTP taken", func() bool {
		st := s.Stats()
		return st.Ignored == 1 && st.PacketsReceived == 1
	})
}

// TestBindDoesNotWaitForSTUN: Bind returns with the ports bound while a silent
// STUN server is still being asked; Ready closes once the tries are over, and
// a stream closed meanwhile is ready at once, with no public address.
func TestBindDoesNotWaitForSTUN(t *testing.T) {
	server := startSTUN(t, func(*net.UDPConn, *stun.Message, *net.UDPAddr) {})
	s, err := Bind(Config{LocalIP: "127.0.0.1", STUNServer: server, STUNTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	select {
	case <-s.Ready():
		t.Fatal("Bind waited for the STUN server")
	default:
	}
	<-s.Ready()
	if s.PublicAddr().IsValid() {
		t.Errorf("PublicAddr = %v with no answer, want none", s.PublicAddr())
	}

	closing, err := Bind(Config{LocalIP: "127.0.0.1", STUNServer: server, STUNTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	closing.Close()
	select {
	case <-closing.Ready():
	case <-time.After(2 * time.Second):
		t.Fatal("a stream closed while it asked the STUN server never got ready")
	}
}

// TestOpenFallsBackWhenSTUNRefuses: an error answer ends the exchange at
// once, with no public address and no second try.
func TestOpenFallsBackWhenSTUNRefuses(t *testing.T) {
	var tries atomic.Int32
	server := startSTUN(t, func(conn *net.UDPConn, req *stun.Message, src *net.UDPAddr) {
		tries.Add(1)
		m, err := stun.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.NewType(stun.MethodBinding, stun.ClassErrorResponse),
			stun.CodeBadRequest)
		if err != nil {
			t.Error(err)
			return
		}
		conn.WriteToUDP(m.Raw, src)
	})
	s := openStream(t, Config{STUNServer: server, STUNTimeout: 5 * time.Second})
	if s.PublicAddr().IsValid() || tries.Load() != 1 {
		t.Errorf("PublicAddr = %v after %d tries, want none after 1", s.PublicAddr(), tries.Load())
	}
}

// FuzzBindingAnswer: whatever arrives on the RTP socket during the exchange,
// reading it as a STUN answer neither panics nor yields an address without
// an answer to our transaction.
func FuzzBindingAnswer(f *testing.F) {
	id := stun.NewTransactionID()
	f.Add(bindingSuccess(&testing.T{}, id, netip.MustParseAddrPort("203.0.113.9:4000")))
	f.Add(bindingSuccess(&testing.T{}, stun.NewTransactionID(), netip.MustParseAddrPort("[2001:db8::1]:4000")))
	f.Add([]byte{0x80, 0x00, 0x00, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		addr, ok, err := bindingAnswer(b, id)
		if addr.IsValid() && (!ok || err != nil) {
			t.Fatalf("address %v with ok=%v err=%v", addr, ok, err)
		}
	})
}

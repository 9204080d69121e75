package media

import (
	"net"
	"net/netip"
	"testing"

	"github.com/pion/stun/v3"
)

// With STUNRTCP the RTCP socket asks the STUN server too, from itself: the server
// maps it to a public port that is not the RTP one's plus one (a NAT's choice), and
// that is PublicRTCPAddr once the stream is Ready. Without it, only the RTP socket
// asks and there is no public RTCP address.
func TestSTUNRTCPLearnsTheRTCPSocketsPublicAddress(t *testing.T) {
	server := startSTUN(t, func(conn *net.UDPConn, req *stun.Message, src *net.UDPAddr) {
		conn.WriteToUDP(bindingSuccess(t, req.TransactionID, netip.AddrPortFrom(publicIP, uint16(src.Port+1000))), src)
	})
	s := openStream(t, Config{STUNServer: server, STUNRTCP: true})
	if got, want := s.PublicAddr(), netip.AddrPortFrom(publicIP, uint16(s.LocalPort()+1000)); got != want {
		t.Errorf("PublicAddr = %v, want %v", got, want)
	}
	if got, want := s.PublicRTCPAddr(), netip.AddrPortFrom(publicIP, uint16(s.LocalPort()+1+1000)); got != want {
		t.Errorf("PublicRTCPAddr = %v, want %v: the request must leave from the RTCP socket", got, want)
	}

	plain := openStream(t, Config{STUNServer: server})
	if !plain.PublicAddr().IsValid() || plain.PublicRTCPAddr().IsValid() {
		t.Errorf("without STUNRTCP: PublicAddr %v, PublicRTCPAddr %v; want only the first", plain.PublicAddr(), plain.PublicRTCPAddr())
	}
}

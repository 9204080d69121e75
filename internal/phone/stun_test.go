package phone

import (
	"log/slog"
	"net"
	"net/netip"
	"testing"

	"github.com/pion/stun/v3"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Behind a NAT, a call's SDP must name where the peer's RTP reaches us: the public
// address a STUN server saw for the call's RTP socket, not the local one.

// publicMedia is the public address the streams of these tests learned.
var publicMedia = netip.MustParseAddrPort("203.0.113.9:61000")

// stunRig is a rig whose streams have publicMedia as their public address.
func stunRig(t *testing.T) *rig {
	t.Helper()
	var r *rig
	r = newRig(t, func(c *Config) {
		c.Media = func(localIP string) (Stream, error) {
			r.smu.Lock()
			defer r.smu.Unlock()
			s := &fakeStream{port: 40000 + 2*len(r.stream), localIP: localIP, public: publicMedia}
			r.stream = append(r.stream, s)
			return s, nil
		}
	})
	return r
}

func TestOfferCarriesThePublicMediaAddress(t *testing.T) {
	r := stunRig(t)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	if got := sdpAddr(t, r.sip.lastDial(t).offer); got != publicMedia {
		t.Errorf("offer's media at %v, want the public %v", got, publicMedia)
	}
}

func TestAnswerCarriesThePublicMediaAddress(t *testing.T) {
	r := stunRig(t)
	d := &fakeDialog{id: "sip-in-1"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@198.51.100.1", SDP: peerSDP(31000, pcmu), LocalIP: "10.0.0.2"})
	})
	cs := r.expectStates(api.CallIncoming, api.CallRinging)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	r.expectStates(api.CallActive)
	if s := r.lastStream(); s.localIP != "10.0.0.2" {
		t.Errorf("RTP opened on %q, want the local 10.0.0.2", s.localIP)
	}
	if got := sdpAddr(t, d.answer); got != publicMedia {
		t.Errorf("answer's media at %v, want the public %v", got, publicMedia)
	}
}

// TestMediaOpenerAsksTheSTUNServer: the real opener hands the STUN server to each
// stream, which learns its public address from it.
func TestMediaOpenerAsksTheSTUNServer(t *testing.T) {
	server := loopbackSTUN(t)
	s, err := MediaOpener(slog.New(slog.DiscardHandler), server, 0, 0)("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := s.PublicAddr(), netip.AddrPortFrom(publicMedia.Addr(), uint16(s.LocalPort())); got != want {
		t.Errorf("PublicAddr = %v, want %v", got, want)
	}
	if got, want := s.PublicRTCPAddr(), netip.AddrPortFrom(publicMedia.Addr(), uint16(s.LocalPort()+1)); got != want {
		t.Errorf("PublicRTCPAddr = %v, want %v: the RTCP socket asks too", got, want)
	}
}

// loopbackSTUN runs a STUN server on loopback that maps every source to
// publicMedia's address, port unchanged, as a port-preserving NAT does, and returns
// its "host:port".
func loopbackSTUN(t *testing.T) string {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, src, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			req := &stun.Message{Raw: buf[:n]}
			if req.Decode() != nil || req.Type != stun.BindingRequest {
				continue
			}
			resp, err := stun.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
				&stun.XORMappedAddress{IP: publicMedia.Addr().AsSlice(), Port: src.Port}, stun.Fingerprint)
			if err == nil {
				conn.WriteToUDP(resp.Raw, src)
			}
		}
	}()
	return conn.LocalAddr().String()
}

// sdpAddr is the media address (connection address and audio port) of an SDP body.
func sdpAddr(t *testing.T, body []byte) netip.AddrPort {
	t.Helper()
	desc, err := sipstack.ParseSDP(body)
	if err != nil {
		t.Fatalf("SDP %q: %v", body, err)
	}
	ip, err := netip.ParseAddr(desc.IP)
	if err != nil {
		t.Fatalf("SDP %q: %v", body, err)
	}
	return netip.AddrPortFrom(ip, uint16(desc.Port))
}

// publicRTCP is the public address the streams of TestSDPNamesThePublicRTCPPort
// learned for their RTCP socket: a NAT put it elsewhere than publicMedia's port + 1.
var publicRTCP = netip.MustParseAddrPort("203.0.113.9:62017")

// Behind a NAT our RTCP's public port is not the RTP one's plus one: the offer
// and the answer name it with a=rtcp (RFC 3605), for a peer that does not take
// rtcp-mux; a peer that does ignores it.
func TestSDPNamesThePublicRTCPPort(t *testing.T) {
	rtcpRig := func(t *testing.T) *rig {
		var r *rig
		r = newRig(t, func(c *Config) {
			c.Media = func(localIP string) (Stream, error) {
				r.smu.Lock()
				defer r.smu.Unlock()
				s := &fakeStream{port: 40000 + 2*len(r.stream), localIP: localIP, public: publicMedia, rtcp: publicRTCP}
				r.stream = append(r.stream, s)
				return s, nil
			}
		})
		return r
	}
	wantRTCP := func(what string, sdp []byte) {
		t.Helper()
		d, err := sipstack.ParseSDP(sdp)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ip, port := d.RTCPAddr(); ip != publicRTCP.Addr().String() || port != int(publicRTCP.Port()) {
			t.Errorf("%s names RTCP at %s:%d, want %v:\n%s", what, ip, port, publicRTCP, sdp)
		}
	}

	r := rtcpRig(t)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	wantRTCP("offer", r.sip.lastDial(t).offer)

	r = rtcpRig(t)
	d := &fakeDialog{id: "sip-in-1"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@198.51.100.1", SDP: peerSDP(31000, pcmu), LocalIP: "10.0.0.2"})
	})
	cs := r.expectStates(api.CallIncoming, api.CallRinging)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	r.expectStates(api.CallActive)
	wantRTCP("answer", d.answer)
}

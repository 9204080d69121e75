package media

import (
	"bytes"
	"math"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
)

// srtpPair opens two streams on loopback that send SRTP to each other with
// the suite, each with its own key, and RTCP every interval.
func srtpPair(t *testing.T, suite string, interval time.Duration) (a, b *Stream) {
	t.Helper()
	ka, kb := bytes.Repeat([]byte{0xa5}, 30), bytes.Repeat([]byte{0x5a}, 30)
	a = openStream(t, Config{JitterMax: 32, RTCPInterval: interval})
	b = openStream(t, Config{JitterMax: 32, RTCPInterval: interval})
	start := func(s, peer *Stream, local, remote []byte) {
		err := s.Start(Params{Remote: addrOf(peer), Codec: l16{}, PayloadType: testPT,
			SRTP: &SRTP{Suite: suite, LocalKey: local, RemoteKey: remote}})
		if err != nil {
			t.Fatal(err)
		}
	}
	start(a, b, ka, kb)
	start(b, a, kb, ka)
	return a, b
}

// TestSRTPToneOverLoopback sends a tone each way over SRTP, with both suites,
// and checks that it arrives as the tone, and that RTCP is protected too.
func TestSRTPToneOverLoopback(t *testing.T) {
	for _, suite := range []string{SuiteAES80, SuiteAES32} {
		t.Run(suite, func(t *testing.T) {
			const frames = 10
			a, b := srtpPair(t, suite, 20*time.Millisecond)
			if !a.Encrypted() || !b.Encrypted() {
				t.Fatal("Encrypted is false with SRTP keys")
			}
			for i := range frames {
				if err := a.WriteFrame(sine(1000, 8000, i)); err != nil {
					t.Fatal(err)
				}
				if err := b.WriteFrame(sine(600, 8000, i)); err != nil {
					t.Fatal(err)
				}
			}
			eventually(t, "all packets and sender reports", func() bool {
				return a.Stats().PacketsReceived == frames && b.Stats().PacketsReceived == frames &&
					a.Stats().PeerReports > 0 && b.Stats().PeerReports > 0
			})
			for _, c := range []struct {
				s    *Stream
				freq float64
			}{{b, 1000}, {a, 600}} {
				var got []int16
				pcm := make([]int16, audio.FrameSamples)
				for range frames {
					if !c.s.ReadFrame(pcm) {
						t.Fatal("ReadFrame: no audio")
					}
					got = append(got, pcm...)
				}
				if amp := math.Sqrt(goertzel(got, c.freq)); amp < 7500 || amp > 8500 {
					t.Errorf("%.0f Hz amplitude %.0f, want about 8000", c.freq, amp)
				}
				if st := c.s.Stats(); st.Ignored != 0 {
					t.Errorf("ignored %d packets", st.Ignored)
				}
			}
		})
	}
}

// TestSRTPRefusesPlainRTP checks that an SRTP stream drops plain RTP, and that
// what it sends is not plain RTP: the payload is not on the wire.
func TestSRTPRefusesPlainRTP(t *testing.T) {
	a, _ := srtpPair(t, SuiteAES80, time.Hour)
	plain := openStream(t, Config{})
	if err := plain.Start(Params{Remote: addrOf(a), Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	if err := plain.WriteFrame(sine(1000, 8000, 0)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the plain packet", func() bool { return a.Stats().Ignored == 1 })
	if a.Stats().PacketsReceived != 0 {
		t.Fatal("a plain RTP packet was taken as audio")
	}

	sniffer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sniffer.Close()
	err = a.Start(Params{Remote: sniffer.LocalAddr().(*net.UDPAddr), Codec: l16{}, PayloadType: testPT,
		SRTP: &SRTP{Suite: SuiteAES80, LocalKey: bytes.Repeat([]byte{1}, 30), RemoteKey: bytes.Repeat([]byte{2}, 30)}})
	if err != nil {
		t.Fatal(err)
	}
	frame := sine(1000, 8000, 0)
	if err := a.WriteFrame(frame); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, maxPacket)
	sniffer.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := sniffer.ReadFromUDP(buf)
	if err != nil {
		t.Fatal(err)
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(buf[:n]); err != nil {
		t.Fatal(err)
	}
	clear := l16{}.Encode(nil, frame)
	if len(pkt.Payload) != len(clear)+10 || bytes.Equal(pkt.Payload[:len(clear)], clear) {
		t.Fatalf("sent payload of %d bytes is not the frame encrypted with an 80-bit tag", len(pkt.Payload))
	}
}

// TestSRTPWriteFrameAllocations: with SRTP, the media clock allocates nothing per
// frame. The stream's buffers are reused and pion/srtp (since 3.1) encrypts and
// tags in place; 3.0 allocated twice per packet for its HMAC-SHA1 tag. The frames
// go to a socket nobody reads, so that no receiver's allocations are counted.
func TestSRTPWriteFrameAllocations(t *testing.T) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	a := openStream(t, Config{RTCPInterval: time.Hour})
	err = a.Start(Params{Remote: sink.LocalAddr().(*net.UDPAddr), Codec: l16{}, PayloadType: testPT,
		SRTP: &SRTP{Suite: SuiteAES80, LocalKey: make([]byte, 30), RemoteKey: make([]byte, 30)}})
	if err != nil {
		t.Fatal(err)
	}
	frame := sine(1000, 8000, 0)
	if allocs := testing.AllocsPerRun(50, func() {
		if err := a.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("WriteFrame with SRTP: %.1f allocations per frame, want 0", allocs)
	}
}

func TestStartRejectsBadSRTP(t *testing.T) {
	s := openStream(t, Config{})
	for _, k := range []*SRTP{
		{Suite: "F8_128_HMAC_SHA1_80", LocalKey: make([]byte, 30), RemoteKey: make([]byte, 30)},
		{Suite: SuiteAES80, LocalKey: make([]byte, 16), RemoteKey: make([]byte, 30)},
	} {
		if err := s.Start(Params{Remote: addrOf(s), Codec: l16{}, PayloadType: testPT, SRTP: k}); err == nil {
			t.Errorf("Start took %+v", k)
		}
	}
}

// TestSRTPReKeyKeepsTheOtherDirection: when one side's key changes (a re-INVITE
// with a new a=crypto), only that direction gets new contexts. The other keeps
// its state: a's sending contexts stay when only the peer's key changes (no
// packet index protected twice with one key), and b still refuses a replay of
// a's packet after b's own key changed.
func TestSRTPReKeyKeepsTheOtherDirection(t *testing.T) {
	ka, kb, kb2 := bytes.Repeat([]byte{0xa5}, 30), bytes.Repeat([]byte{0x5a}, 30), bytes.Repeat([]byte{0x3c}, 30)
	a, b := srtpPair(t, SuiteAES80, time.Hour)

	// a's packets reach b through spy, which keeps the last one.
	spy, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer spy.Close()
	start := func(s *Stream, remote *net.UDPAddr, local, peer []byte) {
		t.Helper()
		if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT,
			SRTP: &SRTP{Suite: SuiteAES80, LocalKey: local, RemoteKey: peer}}); err != nil {
			t.Fatal(err)
		}
	}
	start(a, spy.LocalAddr().(*net.UDPAddr), ka, kb)
	if err := a.WriteFrame(sine(1000, 8000, 0)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, maxPacket)
	n, _, err := spy.ReadFromUDP(buf)
	if err != nil {
		t.Fatal(err)
	}
	packet := buf[:n]
	spy.WriteToUDP(packet, addrOf(b))
	eventually(t, "a's packet at b", func() bool { return b.Stats().PacketsReceived == 1 })

	txRTP := a.srtp.Load().txRTP
	start(a, addrOf(b), ka, kb2) // the peer's key changed: a sends on as before
	if sec := a.srtp.Load(); sec.txRTP != txRTP || !bytes.Equal(sec.keys.RemoteKey, kb2) {
		t.Error("a's sending context was made anew when only the peer's key changed")
	}

	start(b, addrOf(a), kb2, ka) // b's own key changed; a's stays
	spy.WriteToUDP(packet, addrOf(b))
	eventually(t, "the replay dropped", func() bool { return b.Stats().Ignored == 1 })
	if got := b.Stats().PacketsReceived; got != 1 {
		t.Errorf("b took a replay of a's packet after its own key changed: %d packets received", got)
	}
}

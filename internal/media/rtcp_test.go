package media

import (
	"bytes"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"github.com/wpservice/wpservice/internal/audio"
)

func TestRTCPDelay(t *testing.T) {
	tests := []struct {
		r    float64
		want time.Duration
	}{
		{0, 2500 * time.Millisecond},
		{0.5, 5 * time.Second},
		{0.75, 6250 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := rtcpDelay(DefaultRTCPInterval, tt.r); got != tt.want {
			t.Errorf("rtcpDelay(5s, %v) = %v, want %v", tt.r, got, tt.want)
		}
	}
	if got := rtcpDelay(DefaultRTCPInterval, 0.999999); got >= 7500*time.Millisecond {
		t.Errorf("upper bound exceeded: %v", got)
	}
}

func TestToNTP(t *testing.T) {
	tests := []struct {
		in   time.Time
		want uint64
	}{
		{time.Unix(0, 0), ntpEpochOffset << 32},
		{time.Unix(1, 500_000_000), (ntpEpochOffset+1)<<32 | 1<<31},
		{time.Unix(2, 250_000_000), (ntpEpochOffset+2)<<32 | 1<<30},
	}
	for _, tt := range tests {
		if got := toNTP(tt.in); got != tt.want {
			t.Errorf("toNTP(%v) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

// fakeClock is a settable clock for the stream's timestamps.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func TestSenderReportContent(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	s := openStream(t, Config{Now: clock.Now, RTCPInterval: time.Hour})
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if err := s.Start(Params{Remote: sink.LocalAddr().(*net.UDPAddr), Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	if sr := s.buildReport(clock.Now(), false)[0].(*rtcp.SenderReport); sr.RTPTime != s.initialTS || sr.PacketCount != 0 {
		t.Errorf("SR before any RTP: %+v", sr)
	}
	s.mu.Unlock()

	first := s.ts
	for range 3 {
		if err := s.WriteFrame(make([]int16, audio.FrameSamples)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(time.Unix(1000, 100_000_000)) // 100 ms = 800 units after the last packet
	s.mu.Lock()
	pkts := s.buildReport(clock.Now(), true)
	s.mu.Unlock()

	sr := pkts[0].(*rtcp.SenderReport)
	if sr.SSRC != s.ssrc || sr.PacketCount != 3 || sr.OctetCount != 3*2*audio.FrameSamples {
		t.Errorf("SR counts %+v", sr)
	}
	if want := first + 2*160 + 800; sr.RTPTime != want {
		t.Errorf("SR RTP time %d, want %d", sr.RTPTime, want)
	}
	if sr.NTPTime != toNTP(clock.Now()) {
		t.Errorf("SR NTP time %#x", sr.NTPTime)
	}
	if len(sr.Reports) != 0 {
		t.Errorf("reception report without anything received: %+v", sr.Reports)
	}
	if _, ok := pkts[1].(*rtcp.SourceDescription); !ok {
		t.Errorf("second packet %T, want SDES", pkts[1])
	}
	if bye, ok := pkts[2].(*rtcp.Goodbye); !ok || bye.Sources[0] != s.ssrc {
		t.Errorf("third packet %+v, want BYE", pkts[2])
	}
	if err := rtcp.CompoundPacket(pkts).Validate(); err != nil {
		t.Errorf("not a valid compound packet: %v", err)
	}
}

func TestHandleRTCPTakesPeerReport(t *testing.T) {
	s := startedStream(t, &digitLog{})
	if err := s.WriteFrame(make([]int16, audio.FrameSamples)); err != nil { // sets the clock rate
		t.Fatal(err)
	}
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4001}
	rr := &rtcp.ReceiverReport{SSRC: 99, Reports: []rtcp.ReceptionReport{
		{SSRC: s.ssrc ^ 1, FractionLost: 200, TotalLost: 1000}, // about someone else
		{SSRC: s.ssrc, FractionLost: 64, TotalLost: 7, Jitter: 80},
	}}
	b, err := rtcp.Marshal([]rtcp.Packet{rr})
	if err != nil {
		t.Fatal(err)
	}
	s.handleRTCP(b, src)
	st := s.Stats()
	if st.RTCPReceived != 1 || st.PeerReports != 1 || st.PeerLost != 7 || st.PeerFractionLost != 0.25 || st.PeerJitter != 10*time.Millisecond {
		t.Errorf("stats %+v", st)
	}
	s.handleRTCP([]byte{0x80, 0xc8, 0, 1}, src) // truncated SR
	if st := s.Stats(); st.RTCPReceived != 1 || st.Ignored != 1 {
		t.Errorf("malformed RTCP: stats %+v", st)
	}
}

func TestRTCPOverLoopback(t *testing.T) {
	a, b := pair(t, Config{RTCPInterval: 20 * time.Millisecond}, &digitLog{})
	for i := range 10 {
		if err := a.WriteFrame(sine(1000, 1000, i)); err != nil {
			t.Fatal(err)
		}
		if err := b.WriteFrame(sine(1000, 1000, i)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "sender reports both ways", func() bool {
		return a.Stats().PeerReports > 0 && b.Stats().PeerReports > 0
	})
	if st := a.Stats(); st.RTCPSent == 0 || st.PeerLost != 0 {
		t.Errorf("a stats %+v", st)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "BYE at b", func() bool { return b.Stats().PeerBye })
}

func FuzzHandleRTCP(f *testing.F) {
	seed := func(pkts ...rtcp.Packet) {
		b, err := rtcp.Marshal(pkts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(&rtcp.SenderReport{SSRC: 1, NTPTime: 1 << 40, Reports: []rtcp.ReceptionReport{{SSRC: 2, Jitter: 5}}},
		rtcp.NewCNAMESourceDescription(1, "peer"))
	seed(&rtcp.ReceiverReport{SSRC: 1}, &rtcp.Goodbye{Sources: []uint32{1}})
	seed(&rtcp.ExtendedReport{SenderSSRC: 1, Reports: []rtcp.ReportBlock{&rtcp.VoIPMetricsReportBlock{SSRC: 2, MOSLQ: 41}}})
	f.Add([]byte{0x80, 0xc9, 0, 1, 0, 0, 0, 1})
	f.Add([]byte{0xff})

	var log digitLog
	stream, err := Open(Config{LocalIP: "127.0.0.1", RTCPInterval: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { stream.Close() })
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	if err := stream.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT, DTMFPayloadType: testDTMFPT, OnDTMF: log.add}); err != nil {
		f.Fatal(err)
	}
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4001}
	f.Fuzz(func(t *testing.T, b []byte) {
		stream.handleRTCP(b, src)
		stream.Stats()
	})
}

// TestRTCPMux: with rtcp-mux both sides send their reports from the RTP socket to
// the peer's RTP port and take those that arrive there, plain and with SRTP; the
// RTCP sockets carry nothing. Without it, RTCP on the RTP port is dropped.
func TestRTCPMux(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		name := "RTP"
		if keyed {
			name = "SRTP"
		}
		t.Run(name, func(t *testing.T) {
			ka, kb := bytes.Repeat([]byte{0xa5}, 30), bytes.Repeat([]byte{0x5a}, 30)
			a := openStream(t, Config{RTCPInterval: 20 * time.Millisecond})
			b := openStream(t, Config{RTCPInterval: 20 * time.Millisecond})
			start := func(s, peer *Stream, local, remote []byte) {
				t.Helper()
				p := Params{Remote: addrOf(peer), Codec: l16{}, PayloadType: testPT, RTCPMux: true,
					RemoteRTCP: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}} // never used with mux
				if keyed {
					p.SRTP = &SRTP{Suite: SuiteAES80, LocalKey: local, RemoteKey: remote}
				}
				if err := s.Start(p); err != nil {
					t.Fatal(err)
				}
			}
			start(a, b, ka, kb)
			start(b, a, kb, ka)
			for i := range 3 {
				a.WriteFrame(sine(1000, 8000, i))
				b.WriteFrame(sine(600, 8000, i))
			}
			eventually(t, "reports over the RTP ports", func() bool {
				return a.Stats().PeerReports > 0 && b.Stats().PeerReports > 0
			})
			if a.Stats().Ignored != 0 || b.Stats().Ignored != 0 {
				t.Errorf("ignored %d and %d datagrams", a.Stats().Ignored, b.Stats().Ignored)
			}
		})
	}
	t.Run("not agreed", func(t *testing.T) {
		s := openStream(t, Config{RTCPInterval: time.Hour})
		if err := s.Start(Params{Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}, Codec: l16{}, PayloadType: testPT}); err != nil {
			t.Fatal(err)
		}
		rr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 7}})
		conn, err := net.DialUDP("udp", nil, addrOf(s))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write(rr)
		eventually(t, "RTCP on the RTP port dropped", func() bool { return s.Stats().Ignored == 1 })
		if st := s.Stats(); st.PeerReports != 0 || st.RTCPReceived != 0 {
			t.Errorf("took RTCP on the RTP port without rtcp-mux: %+v", st)
		}
	})
}

package media

import (
	"net"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"github.com/wpservice/wpservice/internal/audio"
)

func TestRoundTrip(t *testing.T) {
	at := time.Unix(5000, 0)
	lsrAt := at.Add(-300 * time.Millisecond)
	lsr := uint32(toNTP(lsrAt) >> 16)
	tests := []struct {
		name      string
		lsr, dlsr uint32
		want      time.Duration
		ok        bool
	}{
		// The SR left 300 ms ago and the peer held it 100 ms: 200 ms round trip.
		{"RFC 3550 6.4.1", lsr, 100 * 65536 / 1000, 200 * time.Millisecond, true},
		{"no SR answered", 0, 0, 0, false},
		{"shorter than the unit", uint32(toNTP(at) >> 16), 0, time.Second >> 16, true},
		{"DLSR longer than the wait", lsr, 65536, 0, false},
	}
	for _, tt := range tests {
		got, ok := roundTrip(at, tt.lsr, tt.dlsr)
		if ok != tt.ok || (got-tt.want).Abs() > time.Millisecond || (tt.ok && got <= 0) {
			t.Errorf("%s: roundTrip = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPeerReportGivesRTT: a report answering our SR sets Stats.RTT.
func TestPeerReportGivesRTT(t *testing.T) {
	clock := &fakeClock{now: time.Unix(2000, 0)}
	s := openStream(t, Config{Now: clock.Now, RTCPInterval: time.Hour})
	if err := s.Start(Params{Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}, Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	sr := s.buildReport(clock.Now(), false)[0].(*rtcp.SenderReport)
	s.mu.Unlock()
	clock.Set(time.Unix(2000, 0).Add(150 * time.Millisecond))
	rr := &rtcp.ReceiverReport{SSRC: 99, Reports: []rtcp.ReceptionReport{
		{SSRC: s.ssrc, LastSenderReport: uint32(sr.NTPTime >> 16), Delay: 50 * 65536 / 1000},
	}}
	b, err := rtcp.Marshal([]rtcp.Packet{rr})
	if err != nil {
		t.Fatal(err)
	}
	s.handleRTCP(b, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4001})
	if got := s.Stats().RTT; (got - 100*time.Millisecond).Abs() > time.Millisecond {
		t.Errorf("RTT %v, want 100ms", got)
	}
}

// TestPeerXR: the peer's RTCP XR VoIP metrics about our stream are kept in
// units; a block about another source is not.
func TestPeerXR(t *testing.T) {
	s := startedStream(t, &digitLog{})
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4001}
	xr := &rtcp.ExtendedReport{SenderSSRC: 99, Reports: []rtcp.ReportBlock{
		&rtcp.VoIPMetricsReportBlock{SSRC: s.ssrc ^ 1, LossRate: 255},
		&rtcp.VoIPMetricsReportBlock{SSRC: s.ssrc, LossRate: 13, DiscardRate: 3, RoundTripDelay: 42,
			EndSystemDelay: 70, RFactor: 88, ExtRFactor: xrUnavailable, MOSLQ: 41, MOSCQ: xrUnavailable},
	}}
	b, err := rtcp.Marshal([]rtcp.Packet{xr})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.PeerXR.Valid {
		t.Fatalf("XR before any: %+v", st.PeerXR)
	}
	s.handleRTCP(b, src)
	want := XRVoIP{Valid: true, LossRate: 13.0 / 256, DiscardRate: 3.0 / 256, RoundTrip: 42 * time.Millisecond,
		EndSystem: 70 * time.Millisecond, RFactor: 88, MOSLQ: 4.1}
	if got := s.Stats().PeerXR; got != want {
		t.Errorf("XR %+v, want %+v", got, want)
	}
}

// TestStatsFigures: codec, expected, interval loss, discarded packets and the
// jitter buffer's delay.
func TestStatsFigures(t *testing.T) {
	s := openStream(t, Config{JitterTarget: 2, JitterMax: 8, RTCPInterval: time.Hour})
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 2*audio.FrameSamples)
	for _, seq := range []uint16{1, 2, 4, 5} { // 3 lost
		s.handleRTP(rawPacket(t, testPT, seq, uint32(seq)*audio.FrameSamples, 7, false, payload), remote)
	}
	st := s.Stats()
	if st.Codec != "L16" || st.Expected != 5 || st.Lost != 1 || st.JitterDelay != 4*audio.FrameMillis*time.Millisecond ||
		st.JitterTarget != 2*audio.FrameMillis*time.Millisecond {
		t.Errorf("stats %+v", st)
	}
	s.mu.Lock()
	s.buildReport(s.now(), false) // closes a reporting interval: 1 of 5 lost
	s.mu.Unlock()
	if got := s.Stats().IntervalLoss; got != float64(256/5)/256 {
		t.Errorf("interval loss %v, want about 0.2", got)
	}
	for seq := uint16(6); seq < 16; seq++ { // beyond the 8-frame buffer
		s.handleRTP(rawPacket(t, testPT, seq, uint32(seq)*audio.FrameSamples, 7, false, payload), remote)
	}
	if st := s.Stats(); st.Discarded == 0 {
		t.Errorf("a full buffer discarded nothing: %+v", st)
	}
}

// TestReceiverReportWhenSilent: a stream that stopped sending for two
// intervals reports with an RR (RFC 3550 section 6.4); one that sends, an SR.
func TestReceiverReportWhenSilent(t *testing.T) {
	clock := &fakeClock{now: time.Unix(3000, 0)}
	s := openStream(t, Config{Now: clock.Now, RTCPInterval: time.Second})
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if err := s.Start(Params{Remote: sink.LocalAddr().(*net.UDPAddr), Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFrame(make([]int16, audio.FrameSamples)); err != nil {
		t.Fatal(err)
	}
	report := func() rtcp.Packet {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.buildReport(clock.Now(), false)[0]
	}
	if p, ok := report().(*rtcp.SenderReport); !ok {
		t.Errorf("sending: %T, want an SR", p)
	}
	clock.Set(time.Unix(3003, 0))
	if p, ok := report().(*rtcp.ReceiverReport); !ok || p.SSRC != s.ssrc {
		t.Errorf("silent for 3 s: %+v, want an RR", p)
	}
}

// TestReceiveStatsUpdateAllocs: the per-packet statistics allocate nothing.
func TestReceiveStatsUpdateAllocs(t *testing.T) {
	var r receiveStats
	at := time.Unix(1000, 0)
	seq := uint16(0)
	allocs := testing.AllocsPerRun(1000, func() {
		seq++
		r.update(seq, 1, uint32(seq)*160, at.Add(time.Duration(seq)*20*time.Millisecond), 8000, true)
	})
	if allocs != 0 {
		t.Errorf("update allocates %v times per packet", allocs)
	}
}

func BenchmarkReceiveStatsUpdate(b *testing.B) {
	var r receiveStats
	at := time.Unix(1000, 0)
	b.ReportAllocs()
	for i := range b.N {
		seq := uint16(i)
		r.update(seq, 1, uint32(seq)*160, at.Add(time.Duration(i)*20*time.Millisecond), 8000, true)
	}
}

// BenchmarkStats is a call.stats snapshot of a running stream.
func BenchmarkStats(b *testing.B) {
	s, err := Open(Config{LocalIP: "127.0.0.1", RTCPInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(Params{Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}, Codec: l16{}, PayloadType: testPT}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		_ = s.Stats()
	}
}

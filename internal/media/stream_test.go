package media

import (
	"encoding/binary"
	"errors"
	"math"
	"net"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
)

// l16 is a test codec: 16-bit big-endian linear PCM at 8 kHz, so that what goes in
// comes out bit-exact.
type l16 struct{}

func (l16) Name() string       { return "L16" }
func (l16) PayloadType() uint8 { return 96 }
func (l16) ClockRate() int     { return 8000 }
func (l16) SampleRate() int    { return 8000 }
func (l16) Encode(dst []byte, pcm []int16) []byte {
	for _, v := range pcm {
		dst = binary.BigEndian.AppendUint16(dst, uint16(v))
	}
	return dst
}
func (l16) Decode(dst []int16, payload []byte) []int16 {
	for i := 0; i+1 < len(payload); i += 2 {
		dst = append(dst, int16(binary.BigEndian.Uint16(payload[i:])))
	}
	return dst
}

const (
	testPT     = 96
	testDTMFPT = 101
)

func openStream(t *testing.T, cfg Config) *Stream {
	t.Helper()
	if cfg.LocalIP == "" {
		cfg.LocalIP = "127.0.0.1"
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func addrOf(s *Stream) *net.UDPAddr {
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: s.LocalPort()}
}

// digitLog collects received digits from the receive goroutine.
type digitLog struct {
	mu     sync.Mutex
	digits []DTMF
}

func (l *digitLog) add(d DTMF) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.digits = append(l.digits, d)
}

func (l *digitLog) keys() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b []rune
	for _, d := range l.digits {
		b = append(b, d.Digit)
	}
	return string(b)
}

// pair opens two streams on loopback that send to each other; b's digits go to log.
func pair(t *testing.T, cfg Config, log *digitLog) (a, b *Stream) {
	t.Helper()
	a, b = openStream(t, cfg), openStream(t, cfg)
	params := func(peer *Stream, onDTMF func(DTMF)) Params {
		return Params{Remote: addrOf(peer), Codec: l16{}, PayloadType: testPT, DTMFPayloadType: testDTMFPT, OnDTMF: onDTMF}
	}
	if err := a.Start(params(b, nil)); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(params(a, log.add)); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// eventually polls cond until it holds or a generous deadline passes. Loopback UDP
// delivery is asynchronous; this is the one place the tests wait on it.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// sine returns frame i of a tone at freq Hz with the given peak.
func sine(freq float64, peak float64, i int) []int16 {
	pcm := make([]int16, audio.FrameSamples)
	for n := range pcm {
		t := float64(i*audio.FrameSamples+n) / audio.SampleRate
		pcm[n] = int16(peak * math.Sin(2*math.Pi*freq*t))
	}
	return pcm
}

// goertzel returns the power of freq in pcm, normalised to the squared amplitude.
func goertzel(pcm []int16, freq float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*freq/audio.SampleRate)
	var s1, s2 float64
	for _, v := range pcm {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	n := float64(len(pcm))
	return (s1*s1 + s2*s2 - coeff*s1*s2) * 4 / (n * n)
}

func TestOpenBindsEvenPortPair(t *testing.T) {
	s := openStream(t, Config{})
	p := s.LocalPort()
	if p%2 != 0 {
		t.Fatalf("RTP port %d is odd", p)
	}
	if got := s.rtcp.LocalAddr().(*net.UDPAddr).Port; got != p+1 {
		t.Fatalf("RTCP port %d, want %d", got, p+1)
	}
	if c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + 1}); err == nil {
		c.Close()
		t.Fatal("RTCP port is not held")
	}
}

func TestOpenRejectsBadLocalIP(t *testing.T) {
	for _, ip := range []string{"", "0.0.0.0", "::", "localhost", "999.1.1.1"} {
		if _, err := Open(Config{LocalIP: ip}); !errors.Is(err, ErrBadLocalIP) {
			t.Errorf("Open(%q) err = %v, want ErrBadLocalIP", ip, err)
		}
	}
}

func TestStartValidates(t *testing.T) {
	s := openStream(t, Config{})
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	for name, p := range map[string]Params{
		"no remote":  {Codec: l16{}},
		"no port":    {Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, Codec: l16{}},
		"no codec":   {Remote: remote},
		"nil remote": {Remote: nil, Codec: l16{}},
	} {
		if err := s.Start(p); !errors.Is(err, ErrBadParams) {
			t.Errorf("%s: err = %v, want ErrBadParams", name, err)
		}
	}
	if err := s.WriteFrame(make([]int16, audio.FrameSamples)); !errors.Is(err, ErrNotStarted) {
		t.Errorf("WriteFrame before Start: %v", err)
	}
	s.Close()
	if err := s.Start(Params{Remote: remote, Codec: l16{}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
	if err := s.WriteFrame(make([]int16, audio.FrameSamples)); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteFrame after Close: %v", err)
	}
}

func TestToneOverLoopback(t *testing.T) {
	const frames = 25
	a, b := pair(t, Config{JitterMax: 32}, &digitLog{})
	for i := range frames {
		if err := a.WriteFrame(sine(1000, 8000, i)); err != nil {
			t.Fatalf("WriteFrame %d: %v", i, err)
		}
	}
	eventually(t, "all packets", func() bool { return b.Stats().PacketsReceived == frames })
	if b.LastReceived().IsZero() {
		t.Error("LastReceived is zero after packets arrived")
	}

	var got []int16
	pcm := make([]int16, audio.FrameSamples)
	for i := range frames {
		if !b.ReadFrame(pcm) {
			t.Fatalf("ReadFrame %d: no audio", i)
		}
		got = append(got, pcm...)
	}
	if !slices.Equal(got[:audio.FrameSamples], sine(1000, 8000, 0)) {
		t.Error("first frame is not what was sent")
	}
	tone, off := goertzel(got, 1000), goertzel(got, 1700)
	if amp := math.Sqrt(tone); amp < 7500 || amp > 8500 {
		t.Errorf("1 kHz amplitude %.0f, want about 8000", amp)
	}
	if off > tone/1000 {
		t.Errorf("1.7 kHz power %.0f is not negligible next to 1 kHz %.0f", off, tone)
	}
	if b.ReadFrame(pcm) {
		t.Error("ReadFrame past the end returned audio")
	}

	as, bs := a.Stats(), b.Stats()
	if as.PacketsSent != frames || as.BytesSent != frames*2*audio.FrameSamples {
		t.Errorf("sender stats %+v", as)
	}
	if bs.BytesReceived != as.BytesSent || bs.Lost != 0 || bs.Late != 0 || bs.Duplicate != 0 || bs.Ignored != 0 {
		t.Errorf("receiver stats %+v", bs)
	}
}

func TestDTMFOverLoopback(t *testing.T) {
	var log digitLog
	a, b := pair(t, Config{}, &log)
	if err := a.SendDTMF("123#"); err != nil {
		t.Fatal(err)
	}
	silence := make([]int16, audio.FrameSamples)
	// Each digit: 5 tone frames + 2 more end packets + 3 gap frames.
	const frames = 4*10 + 5
	for i := range frames {
		if err := a.WriteFrame(silence); err != nil {
			t.Fatalf("WriteFrame %d: %v", i, err)
		}
	}
	eventually(t, "all packets", func() bool { return b.Stats().PacketsReceived == frames })
	if got := log.keys(); got != "123#" {
		t.Fatalf("received %q, want \"123#\" exactly once each", got)
	}
	for _, d := range log.digits {
		if d.Duration != DefaultDTMFDuration {
			t.Errorf("digit %q lasted %v", d.Digit, d.Duration)
		}
	}
}

func TestSendDTMFErrors(t *testing.T) {
	s := openStream(t, Config{})
	if err := s.SendDTMF("1"); !errors.Is(err, ErrNotStarted) {
		t.Errorf("before Start: %v", err)
	}
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	if err := s.SendDTMF("1"); !errors.Is(err, ErrNoDTMF) {
		t.Errorf("without telephone-event: %v", err)
	}
	if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT, DTMFPayloadType: testDTMFPT}); err != nil {
		t.Fatal(err)
	}
	if err := s.SendDTMF("12x"); !errors.Is(err, ErrInvalidDigit) {
		t.Errorf("invalid digit: %v", err)
	}
	if s.dtmfTx.busy() {
		t.Error("an invalid string queued digits")
	}
	if err := s.SendDTMF("*0#"); err != nil {
		t.Errorf("valid digits: %v", err)
	}
	// Renegotiating without telephone-event drops what is queued.
	if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	if s.dtmfTx.busy() {
		t.Error("digits still queued after DTMF was dropped")
	}
	s.Close()
	if err := s.SendDTMF("1"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// rawPacket builds an RTP datagram.
func rawPacket(t testing.TB, pt uint8, seq uint16, ts, ssrc uint32, marker bool, payload []byte) []byte {
	t.Helper()
	b, err := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc, Marker: marker}, Payload: payload}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startedStream is a stream started toward an unused loopback address whose
// receive path the test drives by calling handleRTP directly.
func startedStream(t *testing.T, log *digitLog) *Stream {
	t.Helper()
	s := openStream(t, Config{})
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT, DTMFPayloadType: testDTMFPT, OnDTMF: log.add}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReceiveSIPpStyleDTMF(t *testing.T) {
	var log digitLog
	s := startedStream(t, &log)
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	seq := uint16(1)
	send := func(ts uint32, marker bool, payload []byte) {
		s.handleRTP(rawPacket(t, testDTMFPT, seq, ts, 77, marker, payload), src)
		seq++
	}
	// Digit 5 as SIPp's dtmf_2833 pcaps send it: marker packet with duration 0,
	// then growing durations, three end packets.
	send(8000, true, []byte{5, 10, 0, 0})
	for d := uint16(160); d < 800; d += 160 {
		send(8000, false, []byte{5, 10, byte(d >> 8), byte(d)})
	}
	for range 3 {
		send(8000, false, []byte{5, 0x80 | 10, 0x03, 0x20})
	}
	// Digit 9 with no marker at all.
	for _, p := range [][]byte{{9, 10, 0, 160}, {9, 0x8a, 0, 240}, {9, 0x8a, 0, 240}} {
		send(16000, false, p)
	}
	if got := log.keys(); got != "59" {
		t.Fatalf("received %q, want \"59\"", got)
	}
}

func TestReceiveIgnoresUnknownPayloadTypes(t *testing.T) {
	s := startedStream(t, &digitLog{})
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	s.handleRTP(rawPacket(t, 8, 1, 0, 5, false, make([]byte, 160)), src)
	s.handleRTP([]byte{0x80, 0x00}, src)                             // truncated
	s.handleRTP(rawPacket(t, testPT, 1, 0, 5, false, nil)[:11], src) // short header
	if st := s.Stats(); st.Ignored != 3 || st.PacketsReceived != 0 {
		t.Errorf("stats %+v, want 3 ignored", st)
	}
	if !s.LastReceived().IsZero() {
		t.Error("LastReceived set by ignored packets")
	}
}

func TestReadFrameConcealsLoss(t *testing.T) {
	s := startedStream(t, &digitLog{})
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	frame := func(v int16) []int16 {
		pcm := make([]int16, audio.FrameSamples)
		for i := range pcm {
			pcm[i] = v
		}
		return pcm
	}
	for _, seq := range []uint16{1, 2, 3, 5} { // 4 is lost
		s.handleRTP(rawPacket(t, testPT, seq, uint32(seq)*160, 5, false, l16{}.Encode(nil, frame(int16(seq*1000)))), src)
	}
	pcm := make([]int16, audio.FrameSamples)
	for seq := int16(1); seq <= 3; seq++ {
		if !s.ReadFrame(pcm) || pcm[0] != seq*1000 {
			t.Fatalf("frame %d: got %d", seq, pcm[0])
		}
	}
	if s.ReadFrame(pcm) {
		t.Fatal("lost frame reported as audio")
	}
	// Pitch repetition continues the last frame for 10 ms, then fades.
	if pcm[0] != 3000 || pcm[len(pcm)/2] != 3000 || pcm[len(pcm)-1] >= 3000 || pcm[len(pcm)-1] == 0 {
		t.Errorf("concealment does not continue the last frame and fade: %d %d %d", pcm[0], pcm[len(pcm)/2], pcm[len(pcm)-1])
	}
	// The frame after the loss is blended in from the concealment, then itself.
	if !s.ReadFrame(pcm) || pcm[len(pcm)-1] != 5000 {
		t.Fatalf("frame 5: got %d", pcm[len(pcm)-1])
	}
	// Underrun: the concealment fades out over 60 ms, then silence.
	s.ReadFrame(pcm)
	if pcm[0] != 5000 {
		t.Errorf("first underrun frame should continue the last, got %d", pcm[0])
	}
	for range 2 {
		s.ReadFrame(pcm)
	}
	if s.ReadFrame(pcm) || slices.ContainsFunc(pcm, func(v int16) bool { return v != 0 }) {
		t.Error("underrun frames after 60 ms are not silence")
	}
	if st := s.Stats(); st.Concealed != 5 {
		t.Errorf("Concealed = %d, want 5", st.Concealed)
	}
}

func TestSymmetricRTPLatchesToSource(t *testing.T) {
	a, b := openStream(t, Config{}), openStream(t, Config{})
	// a's SDP says the peer is at an address nobody reads (a NATed private address).
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if err := a.Start(Params{Remote: sink.LocalAddr().(*net.UDPAddr), Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(Params{Remote: addrOf(a), Codec: l16{}, PayloadType: testPT}); err != nil {
		t.Fatal(err)
	}
	silence := make([]int16, audio.FrameSamples)
	if err := b.WriteFrame(silence); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a to hear b", func() bool { return a.Stats().PacketsReceived == 1 })
	if err := a.WriteFrame(silence); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b to hear a after latching", func() bool { return b.Stats().PacketsReceived == 1 })
}

func TestCloseStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	a, b := pair(t, Config{RTCPInterval: 10 * time.Millisecond}, &digitLog{})
	for i := range 5 {
		if err := a.WriteFrame(sine(1000, 1000, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(a.Close(), b.Close()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	eventually(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

func FuzzReadPacket(f *testing.F) {
	f.Add(rawPacket(f, 0, 1, 160, 0x1234, true, []byte{1, 2, 3}))
	f.Add(rawPacket(f, testDTMFPT, 65535, 0, 1, false, []byte{1, 10, 0, 160}))
	f.Add([]byte{0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0}) // extension
	f.Add([]byte{0xa0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9, 9, 0, 3})                         // padding
	f.Add([]byte{0x8f, 0})                                                                   // CSRC count, truncated
	f.Fuzz(func(t *testing.T, in []byte) {
		b := slices.Clone(in) // the read buffer, which the next read overwrites
		var p rtp.Packet
		if err := readPacket(&p, b); err != nil {
			if !errors.Is(err, ErrBadPacket) {
				t.Fatalf("error %v does not wrap ErrBadPacket", err)
			}
			return
		}
		if p.Version != 2 || len(p.Payload) > len(b) {
			t.Fatalf("accepted bad packet %+v", p)
		}
		// The buffered packet owns its payload: scribbling over the read
		// buffer, as the next read does, leaves it intact.
		want := slices.Clone(p.Payload)
		j := NewJitterBuffer(1, 0)
		j.Put(&p)
		for i := range b {
			b[i] ^= 0xff
		}
		if got, ok := j.Pop(); !ok || !slices.Equal(got.Payload, want) {
			t.Fatal("payload aliases the read buffer")
		}
	})
}

func TestPCMUToneOverLoopback(t *testing.T) {
	codec, err := audio.NewCodec("PCMU")
	if err != nil {
		t.Fatal(err)
	}
	const frames = 20
	a, b := openStream(t, Config{JitterMax: 32}), openStream(t, Config{JitterMax: 32})
	for _, s := range []struct{ from, to *Stream }{{a, b}, {b, a}} {
		if err := s.from.Start(Params{Remote: addrOf(s.to), Codec: codec, PayloadType: codec.PayloadType()}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range frames {
		if err := a.WriteFrame(sine(1000, 16000, i)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "all packets", func() bool { return b.Stats().PacketsReceived == frames })
	if got := b.Stats().BytesReceived; got != frames*audio.FrameSamples {
		t.Errorf("received %d payload bytes, want one byte per sample", got)
	}
	var got []int16
	pcm := make([]int16, audio.FrameSamples)
	for range frames {
		if !b.ReadFrame(pcm) {
			t.Fatal("no audio")
		}
		got = append(got, pcm...)
	}
	want := 16000.0 / 32768
	if level := audio.ToneLevel(got, audio.SampleRate, 1000); math.Abs(level-want) > 0.03 {
		t.Errorf("1 kHz level %.3f, want about %.3f", level, want)
	}
	if level := audio.ToneLevel(got, audio.SampleRate, 1700); level > 0.01 {
		t.Errorf("1.7 kHz level %.3f, want about 0", level)
	}
}

// Punch sends one empty datagram from the RTP port to the peer, the packet that opens
// a NAT's mapping before the peer's first RTP arrives.
func TestPunchSendsAnEmptyDatagramFromTheRTPPort(t *testing.T) {
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	s, err := Open(Config{LocalIP: "127.0.0.1", RTCPInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Punch(peer.LocalAddr().(*net.UDPAddr)); err != nil {
		t.Fatal(err)
	}
	peer.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 64)
	n, from, err := peer.ReadFromUDP(buf)
	if err != nil || n != 0 || from.Port != s.LocalPort() {
		t.Fatalf("peer read %d bytes from %v (%v), want 0 bytes from port %d", n, from, err, s.LocalPort())
	}
	if err := s.Punch(nil); !errors.Is(err, ErrBadParams) {
		t.Errorf("Punch(nil) = %v, want ErrBadParams", err)
	}
}

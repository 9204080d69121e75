package media

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
)

// sentTo starts s toward a loopback socket of the test's with params p
// (Remote filled in), and returns a function that reads the n packets sent.
func sentTo(t *testing.T, s *Stream, p Params) func(n int) []rtp.Packet {
	t.Helper()
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	p.Remote = peer.LocalAddr().(*net.UDPAddr)
	if err := s.Start(p); err != nil {
		t.Fatal(err)
	}
	return func(n int) []rtp.Packet {
		t.Helper()
		out := make([]rtp.Packet, 0, n)
		buf := make([]byte, maxPacket)
		peer.SetReadDeadline(time.Now().Add(5 * time.Second))
		for len(out) < n {
			m, _, err := peer.ReadFromUDP(buf)
			if err != nil {
				t.Fatalf("after %d of %d packets: %v", len(out), n, err)
			}
			var pkt rtp.Packet
			if err := pkt.Unmarshal(slices.Clone(buf[:m])); err != nil {
				t.Fatal(err)
			}
			out = append(out, pkt)
		}
		return out
	}
}

// talk sends frames of a 1 kHz tone, then silence, then the tone again.
func talk(t *testing.T, s *Stream, tone, quiet, again int) {
	t.Helper()
	i := 0
	write := func(n int, loud bool) {
		for range n {
			pcm := make([]int16, audio.FrameSamples)
			if loud {
				pcm = sine(1000, 8000, i)
			}
			if err := s.WriteFrame(pcm); err != nil {
				t.Fatal(err)
			}
			i++
		}
	}
	write(tone, true)
	write(quiet, false)
	write(again, true)
}

// TestSilenceSuppressionSendsComfortNoise: with CN negotiated, 1 s of tone
// goes as voice, the 2 s of silence after it (once the hangover is over) as
// a CN packet every 200 ms with digital silence's level, and the tone after
// it as voice again, its first packet marked; the timestamps run on through
// the silence and the sequence numbers have no gap.
func TestSilenceSuppressionSendsComfortNoise(t *testing.T) {
	s := openStream(t, Config{})
	read := sentTo(t, s, Params{Codec: l16{}, PayloadType: testPT, CNPayloadType: ComfortNoisePT})
	const tone, quiet, again = 50, 100, 10
	talk(t, s, tone, quiet, again)
	// Voice: the tone and the hangover. CN: one at the silence's start, then
	// one every cnRefresh frames.
	cn := (quiet - vadHangoverFrames + cnRefresh - 1) / cnRefresh
	pkts := read(tone + vadHangoverFrames + cn + again)

	frame := uint32(160) // l16's 8000 Hz clock
	first := pkts[0]
	for i, p := range pkts {
		if p.SequenceNumber != first.SequenceNumber+uint16(i) {
			t.Fatalf("packet %d: sequence %d, want %d", i, p.SequenceNumber, first.SequenceNumber+uint16(i))
		}
	}
	voice := pkts[:tone+vadHangoverFrames]
	for i, p := range voice {
		if p.PayloadType != testPT || p.Timestamp != first.Timestamp+uint32(i)*frame {
			t.Fatalf("voice packet %d: PT %d ts %d", i, p.PayloadType, p.Timestamp-first.Timestamp)
		}
	}
	noise := pkts[len(voice) : len(voice)+cn]
	for i, p := range noise {
		at := uint32(len(voice)+i*cnRefresh) * frame
		if p.PayloadType != ComfortNoisePT || p.Marker || p.Timestamp-first.Timestamp != at {
			t.Fatalf("CN packet %d: PT %d marker %v ts %d, want PT 13 at %d", i, p.PayloadType, p.Marker, p.Timestamp-first.Timestamp, at)
		}
		if len(p.Payload) != 1 || p.Payload[0] != 127 {
			t.Fatalf("CN packet %d: payload %x, want digital silence's level 127", i, p.Payload)
		}
	}
	resumed := pkts[len(voice)+cn:]
	for i, p := range resumed {
		at := uint32(tone+quiet+i) * frame
		if p.PayloadType != testPT || p.Timestamp-first.Timestamp != at || p.Marker != (i == 0) {
			t.Fatalf("voice after the silence, packet %d: PT %d ts %d marker %v; want ts %d, marker on the first only",
				i, p.PayloadType, p.Timestamp-first.Timestamp, p.Marker, at)
		}
	}
	if st := s.Stats(); st.CNSent != uint64(cn) || st.PacketsSent != uint64(len(pkts)) {
		t.Errorf("stats: %d CN of %d packets, want %d of %d", st.CNSent, st.PacketsSent, cn, len(pkts))
	}
}

// vadHangoverFrames is the VAD's hangover as the stream sees it: the frames of
// voice sent after the last voiced one.
const vadHangoverFrames = audio.VADHangoverFrames

// TestNoComfortNoiseWithoutNegotiation: without a CN payload type, silence is
// sent as voice, every frame: a peer that did not take CN never gets it.
func TestNoComfortNoiseWithoutNegotiation(t *testing.T) {
	s := openStream(t, Config{})
	read := sentTo(t, s, Params{Codec: l16{}, PayloadType: testPT})
	talk(t, s, 5, 40, 5)
	for i, p := range read(50) {
		if p.PayloadType != testPT || p.Marker != (i == 0) {
			t.Fatalf("packet %d: PT %d marker %v", i, p.PayloadType, p.Marker)
		}
	}
	if st := s.Stats(); st.CNSent != 0 {
		t.Errorf("%d CN sent", st.CNSent)
	}
}

// TestLongerPacketsSuppressTheirGatheredAudio: at 40 ms packets the silence
// drops the half packet gathered, and the timestamps still run on.
func TestLongerPacketsSuppressTheirGatheredAudio(t *testing.T) {
	s := openStream(t, Config{})
	read := sentTo(t, s, Params{Codec: l16{}, PayloadType: testPT, CNPayloadType: ComfortNoisePT, PacketTime: 40 * time.Millisecond})
	talk(t, s, 9, 32, 2) // the hangover ends mid-packet
	// Voice: frames 0 to 17 (the tone and the hangover) in nine packets;
	// frame 18, the last of the hangover, is gathered and dropped with the
	// first silent frame: the first CN packet stands for both, at frame 18,
	// the next at frames 29 and 39; the voice again at frame 41.
	pkts := read(9 + 3 + 1)
	first := pkts[0]
	for i, at := range []uint32{18, 29, 39} {
		if p := pkts[9+i]; p.PayloadType != ComfortNoisePT || p.Timestamp-first.Timestamp != at*160 {
			t.Fatalf("CN packet %d: PT %d at %d, want at %d", i, p.PayloadType, p.Timestamp-first.Timestamp, at*160)
		}
	}
	last := pkts[len(pkts)-1]
	if last.PayloadType != testPT || !last.Marker || last.Timestamp-first.Timestamp != 41*160 {
		t.Fatalf("voice after the silence: PT %d marker %v at %d, want marked at %d", last.PayloadType, last.Marker, last.Timestamp-first.Timestamp, 41*160)
	}
}

// cnPacket is a CN datagram of the peer's at level, with coefficients k.
func cnPacket(t *testing.T, seq uint16, level byte, k ...byte) []byte {
	return rawPacket(t, ComfortNoisePT, seq, uint32(seq)*160, 5, false, append([]byte{level}, k...))
}

// TestReceivedComfortNoiseIsPlayedAtItsLevel: after the peer's CN packet the
// stream plays noise at the level it signalled (within 3 dB), frame after
// frame while nothing comes, never the same frame twice and never counted as
// concealment; the peer's voice takes over again when it resumes.
func TestReceivedComfortNoiseIsPlayedAtItsLevel(t *testing.T) {
	for name, k := range map[string][]byte{"white": nil, "shaped": {20, 200, 100}} {
		t.Run(name, func(t *testing.T) {
			s := openStream(t, Config{})
			remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
			if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT, CNPayloadType: ComfortNoisePT}); err != nil {
				t.Fatal(err)
			}
			voice := l16{}.Encode(nil, sine(1000, 8000, 0))
			for seq := uint16(1); seq <= 3; seq++ {
				s.handleRTP(rawPacket(t, testPT, seq, uint32(seq)*160, 5, false, voice), remote)
			}
			s.handleRTP(cnPacket(t, 4, 40, k...), remote)
			pcm, prev := make([]int16, audio.FrameSamples), make([]int16, audio.FrameSamples)
			for i := range 3 {
				if !s.ReadFrame(pcm) {
					t.Fatalf("voice frame %d not played", i)
				}
			}
			for i := range 50 {
				if !s.ReadFrame(pcm) {
					t.Fatalf("noise frame %d not played", i)
				}
				if lvl := audio.DBFS(pcm); lvl < -43 || lvl > -37 {
					t.Fatalf("noise frame %d at %.1f dBFS, want -40 ± 3", i, lvl)
				}
				if slices.Equal(pcm, prev) {
					t.Fatalf("noise frame %d repeats the one before", i)
				}
				copy(prev, pcm)
			}
			st := s.Stats()
			if st.Concealed != 0 || st.CNReceived != 1 {
				t.Errorf("concealed %d, CN received %d; want 0 and 1", st.Concealed, st.CNReceived)
			}
			// The voice resumes after 1 s of silence, marked.
			for seq := uint16(5); seq <= 8; seq++ {
				s.handleRTP(rawPacket(t, testPT, seq, uint32(seq+50)*160, 5, seq == 5, voice), remote)
			}
			heard := false
			for range 5 {
				if s.ReadFrame(pcm) && goertzel(pcm, 1000) > 0.01 {
					heard = true
					break
				}
			}
			if !heard {
				t.Fatal("the peer's voice after its silence was not played")
			}
		})
	}
}

// TestComfortNoiseNotNegotiatedIsIgnored: a peer that sends CN without having
// agreed to it has its packets ignored, and its lost stream concealed.
func TestComfortNoiseNotNegotiatedIsIgnored(t *testing.T) {
	s := startedStream(t, &digitLog{})
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	s.handleRTP(cnPacket(t, 1, 40), remote)
	if st := s.Stats(); st.Ignored != 1 || st.CNReceived != 0 || st.PacketsReceived != 0 {
		t.Errorf("stats %+v, want the CN packet ignored", st)
	}
}

// TestSilenceSuppressionAllocatesNothing: a frame of voice and one of silence
// (a CN packet or none) allocate nothing.
func TestSilenceSuppressionAllocatesNothing(t *testing.T) {
	s := openStream(t, Config{})
	sentTo(t, s, Params{Codec: l16{}, PayloadType: testPT, CNPayloadType: ComfortNoisePT})
	loud, quiet := sine(1000, 8000, 0), make([]int16, audio.FrameSamples)
	s.WriteFrame(loud)
	if n := testing.AllocsPerRun(200, func() {
		s.WriteFrame(loud)
		s.WriteFrame(quiet)
	}); n != 0 {
		t.Fatalf("%v allocations per frame pair", n)
	}
}

// TestInsertedQuietFramesAreNoiseWithComfortNoise: where the peer takes CN,
// a frame the jitter buffer inserts in its quiet audio (to lengthen the
// delay) is noise at that audio's level, not a gap of silence; without CN it
// is concealment, as ever.
func TestInsertedQuietFramesAreNoiseWithComfortNoise(t *testing.T) {
	for _, cn := range []uint8{ComfortNoisePT, 0} {
		s := openStream(t, Config{})
		remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
		if err := s.Start(Params{Remote: remote, Codec: l16{}, PayloadType: testPT, CNPayloadType: cn}); err != nil {
			t.Fatal(err)
		}
		quiet := make([]int16, audio.FrameSamples)
		g := audio.NewNoiseGen()
		g.Set(-50, nil)
		g.Fill(quiet)
		payload := l16{}.Encode(nil, quiet)
		// Three packets fill the buffer to its target and start playout; then
		// the buffer holds less than its target, and the next frame after a
		// quiet one is inserted.
		for seq := uint16(1); seq <= 3; seq++ {
			s.handleRTP(rawPacket(t, testPT, seq, uint32(seq)*160, 5, false, payload), remote)
		}
		pcm := make([]int16, audio.FrameSamples)
		for range 2 {
			s.ReadFrame(pcm)
		}
		heard := s.ReadFrame(pcm)
		st := s.Stats()
		if st.JitterInserted == 0 {
			t.Fatalf("CN %d: no frame inserted (%+v)", cn, st)
		}
		lvl := audio.DBFS(pcm)
		if cn != 0 && (!heard || lvl < -53 || lvl > -47 || st.Concealed != 0) {
			t.Errorf("with CN: the inserted frame played %v at %.1f dBFS, %d concealed; want noise at -50 ± 3", heard, lvl, st.Concealed)
		}
		if cn == 0 && (heard || st.Concealed == 0) {
			t.Errorf("without CN: the inserted frame played %v, %d concealed; want concealment", heard, st.Concealed)
		}
	}
}

// A re-INVITE that takes CN away in the middle of a silence: the voice after it
// still opens a talkspurt with the marker (RFC 3551 section 4.1).
func TestCNTakenAwayMidSilenceStillMarksTheTalkspurt(t *testing.T) {
	s := openStream(t, Config{})
	read := sentTo(t, s, Params{Codec: l16{}, PayloadType: testPT, CNPayloadType: ComfortNoisePT})
	const tone, quiet = 20, 30
	talk(t, s, tone, quiet, 0)
	s.mu.Lock()
	p := s.params
	s.mu.Unlock()
	p.CNPayloadType = 0
	if err := s.Start(p); err != nil {
		t.Fatal(err)
	}
	talk(t, s, 2, 0, 0)
	cn := (quiet - vadHangoverFrames + cnRefresh - 1) / cnRefresh
	pkts := read(tone + vadHangoverFrames + cn + 2)
	after := pkts[len(pkts)-2:]
	if after[0].PayloadType != testPT || !after[0].Marker || after[1].Marker {
		t.Errorf("voice after CN was taken away mid-silence: PT %d marker %v, then marker %v; want the first marked",
			after[0].PayloadType, after[0].Marker, after[1].Marker)
	}
}

// A re-INVITE that takes CN away while the peer's noise plays: noise stops, and
// a missing packet is concealed as any other again.
func TestCNTakenAwayStopsThePeersNoise(t *testing.T) {
	s := openStream(t, Config{})
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	p := Params{Remote: remote, Codec: l16{}, PayloadType: testPT, CNPayloadType: ComfortNoisePT}
	if err := s.Start(p); err != nil {
		t.Fatal(err)
	}
	voice := l16{}.Encode(nil, sine(1000, 8000, 0))
	for seq := uint16(1); seq <= 3; seq++ {
		s.handleRTP(rawPacket(t, testPT, seq, uint32(seq)*160, 5, false, voice), remote)
	}
	s.handleRTP(cnPacket(t, 4, 40), remote)
	pcm := make([]int16, audio.FrameSamples)
	for range 5 { // the voice, then noise
		s.ReadFrame(pcm)
	}
	if lvl := audio.DBFS(pcm); lvl < -43 || lvl > -37 {
		t.Fatalf("before the re-INVITE: %.1f dBFS, want the peer's noise at -40", lvl)
	}
	p.CNPayloadType = 0
	if err := s.Start(p); err != nil {
		t.Fatal(err)
	}
	before := s.Stats().Concealed
	s.ReadFrame(pcm)
	if s.Stats().Concealed == before {
		t.Errorf("CN taken away: the missing packet was not concealed (noise went on at %.1f dBFS)", audio.DBFS(pcm))
	}
}

package media

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// receiveRuns is the number of packets whose allocations are averaged, after
// as many that fill the jitter buffer and size every reused buffer.
const receiveRuns = 200

// g711Packets are n datagrams of a 1 kHz tone in the codec, a frame each.
func g711Packets(t *testing.T, codec audio.Codec, n int) [][]byte {
	t.Helper()
	out := make([][]byte, n)
	for i := range out {
		payload := codec.Encode(nil, sine(1000, 8000, i)) // a frame's samples, as the stream sends them
		out[i] = rawPacket(t, codec.PayloadType(), uint16(i), uint32(i*160), 0x1234, i == 0, payload)
	}
	return out
}

// receiveAllocs is the allocations per packet of the receive path of s in
// steady state: a datagram taken as the RTP socket's reader takes it (SRTP
// decrypted, parsed, put in the jitter buffer) and a frame read from it
// (popped, decoded), as the media clock reads it.
func receiveAllocs(t *testing.T, s *Stream, datagrams [][]byte) float64 {
	t.Helper()
	if len(datagrams) < 2*receiveRuns+1 {
		t.Fatalf("%d datagrams for %d runs", len(datagrams), receiveRuns)
	}
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	sc := rtpScratch{plain: make([]byte, 0, maxPacket)}
	pcm := make([]int16, audio.FrameSamples)
	next, heard := 0, 0
	receive := func() {
		s.takeDatagram(datagrams[next], src, &sc)
		next++
		if s.ReadFrame(pcm) {
			heard++
		}
	}
	for range receiveRuns {
		receive()
	}
	allocs := testing.AllocsPerRun(receiveRuns, receive)
	if heard < receiveRuns {
		t.Fatalf("%d frames of %d packets heard: the path under test did not play them", heard, next)
	}
	return allocs
}

// TestReceiveAllocatesNothing: receiving an RTP packet of the call, buffering
// it and decoding it allocates nothing, with G.711 over plain RTP.
func TestReceiveAllocatesNothing(t *testing.T) {
	codec, err := audio.NewCodec("PCMU")
	if err != nil {
		t.Fatal(err)
	}
	s := openStream(t, Config{RTCPInterval: time.Hour})
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	if err := s.Start(Params{Remote: remote, Codec: codec, PayloadType: codec.PayloadType()}); err != nil {
		t.Fatal(err)
	}
	if allocs := receiveAllocs(t, s, g711Packets(t, codec, 2*receiveRuns+2)); allocs != 0 {
		t.Fatalf("receive path: %.1f allocations per packet, want 0", allocs)
	}
}

// TestSRTPReceiveAllocations: with SRTP too, the receive path allocates nothing
// per packet: the engine decrypts into the read buffer's companion with a header
// of its own, and pion/srtp (since 3.1) checks the tag and the replay window
// without allocating; 3.0 allocated three times per packet.
func TestSRTPReceiveAllocations(t *testing.T) {
	a, b := srtpPair(t, SuiteAES80, time.Hour)
	tx := a.srtp.Load().txRTP
	datagrams := make([][]byte, 2*receiveRuns+2)
	for i := range datagrams {
		pcm := sine(1000, 8000, i)
		raw := rawPacket(t, testPT, uint16(i), uint32(i*160), 0x1234, i == 0, l16{}.Encode(nil, pcm))
		enc, err := tx.EncryptRTP(nil, raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		datagrams[i] = enc
	}
	if allocs := receiveAllocs(t, b, datagrams); allocs != 0 {
		t.Fatalf("receive path with SRTP: %.1f allocations per packet, want 0", allocs)
	}
}

// BenchmarkReceive is one G.711 packet of a call over plain RTP taken from
// the socket's buffer, buffered, and played as a frame: what the receive path
// costs per 20 ms, the socket's read and the sound device aside.
func BenchmarkReceive(b *testing.B) {
	codec, err := audio.NewCodec("PCMU")
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(Config{LocalIP: "127.0.0.1", RTCPInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	if err := s.Start(Params{Remote: src, Codec: codec, PayloadType: codec.PayloadType()}); err != nil {
		b.Fatal(err)
	}
	datagram := rawPacket(b, codec.PayloadType(), 0, 0, 0x1234, false, codec.Encode(nil, sine(1000, 8000, 0)))
	sc := rtpScratch{plain: make([]byte, 0, maxPacket)}
	pcm := make([]int16, audio.FrameSamples)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		binary.BigEndian.PutUint16(datagram[2:], uint16(i))
		binary.BigEndian.PutUint32(datagram[4:], uint32(i*160))
		s.takeDatagram(datagram, src, &sc)
		s.ReadFrame(pcm)
	}
}

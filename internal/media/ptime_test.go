package media

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// TestSentPacketsFollowThePacketTime: the packets on the wire carry the
// audio the peer's ptime asks for, rounded to 10 ms within 10 to 60 ms and,
// for Opus, to one of its frame sizes: their timestamps step by that much of
// the codec's clock (G.722's 8000 Hz clock included), G.711 and G.722
// payloads are that long, sequence numbers run on, and the tone sent comes
// out of a decoder at the other end.
func TestSentPacketsFollowThePacketTime(t *testing.T) {
	cases := []struct {
		codec      string
		ptime      time.Duration // what the peer asks for
		want       time.Duration // what is sent
		bytesPerMs int           // payload octets per ms; 0: variable (Opus)
	}{
		{"PCMU", 10 * time.Millisecond, 10 * time.Millisecond, 8},
		{"PCMU", 30 * time.Millisecond, 30 * time.Millisecond, 8},
		{"PCMA", 60 * time.Millisecond, 60 * time.Millisecond, 8},
		{"PCMU", 25 * time.Millisecond, 20 * time.Millisecond, 8},
		{"PCMU", 90 * time.Millisecond, 60 * time.Millisecond, 8},
		{"PCMU", 0, 20 * time.Millisecond, 8},
		{"G722", 40 * time.Millisecond, 40 * time.Millisecond, 8},
		{"opus", 10 * time.Millisecond, 10 * time.Millisecond, 0},
		{"opus", 30 * time.Millisecond, 20 * time.Millisecond, 0},
		{"opus", 40 * time.Millisecond, 40 * time.Millisecond, 0},
		{"opus", 60 * time.Millisecond, 60 * time.Millisecond, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/ptime%v", c.codec, c.ptime), func(t *testing.T) {
			if c.codec == "opus" && !opus.Available {
				t.Skip("this build has no Opus (cgo off)")
			}
			enc, err := codec.New(c.codec, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := PacketTime(enc, c.ptime); got != c.want {
				t.Errorf("PacketTime(%v) = %v, want %v", c.ptime, got, c.want)
			}
			sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			s := openStream(t, Config{})
			format, _ := codec.Lookup(c.codec)
			if err := s.Start(Params{Remote: sink.LocalAddr().(*net.UDPAddr), Codec: enc, PayloadType: format.PT, PacketTime: c.ptime}); err != nil {
				t.Fatal(err)
			}
			const frames = 24 // 480 ms: whole packets of every length
			for i := range frames {
				if err := s.WriteFrame(sine(1000, 8000, i)); err != nil {
					t.Fatal(err)
				}
			}
			packets := frames * audio.FrameMillis * int(time.Millisecond) / int(c.want)
			units := uint32(time.Duration(format.ClockRate) * c.want / time.Second)
			dec, _ := codec.New(c.codec, "")
			var out []int16
			var prev rtp.Packet
			buf := make([]byte, maxPacket)
			for i := range packets {
				sink.SetReadDeadline(time.Now().Add(2 * time.Second))
				n, _, err := sink.ReadFromUDP(buf)
				if err != nil {
					t.Fatalf("packet %d of %d: %v", i+1, packets, err)
				}
				var p rtp.Packet
				if err := p.Unmarshal(buf[:n]); err != nil {
					t.Fatal(err)
				}
				if c.bytesPerMs > 0 && len(p.Payload) != c.bytesPerMs*int(c.want/time.Millisecond) {
					t.Errorf("packet %d: %d payload octets, want %d", i, len(p.Payload), c.bytesPerMs*int(c.want/time.Millisecond))
				}
				if i > 0 && (p.SequenceNumber != prev.SequenceNumber+1 || p.Timestamp-prev.Timestamp != units) {
					t.Errorf("packet %d: sequence +%d, timestamp +%d; want +1, +%d", i, p.SequenceNumber-prev.SequenceNumber, p.Timestamp-prev.Timestamp, units)
				}
				before := len(out)
				out = dec.Decode(out, p.Payload)
				if got, want := len(out)-before, int(time.Duration(audio.SampleRate)*c.want/time.Second); got != want {
					t.Errorf("packet %d decodes to %d samples, want %d", i, got, want)
				}
				prev = p
			}
			if sent := s.Stats().PacketsSent; sent != uint64(packets) {
				t.Errorf("%d packets sent, want the %d the audio makes", sent, packets)
			}
			if level := audio.ToneLevel(out[len(out)/2:], audio.SampleRate, 1000); level < 0.1 {
				t.Errorf("1 kHz tone at %.3f at the far end, want about %.3f", level, 8000.0/32768)
			}
		})
	}
}

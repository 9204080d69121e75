package media

import (
	"fmt"
	"math"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// The engine's own latency, measured with a click: a 2 ms burst of 2 kHz at
// a peak of 16000 in silence, its onset the first sample above a quarter of
// the peak.
const (
	clickAt     = 10*audio.FrameSamples + 123 // a sample well inside a frame
	clickLength = 2 * audio.SampleRate / 1000
)

// clickSignal is n samples of silence with the click at clickAt.
func clickSignal(n int) []int16 {
	s := make([]int16, n)
	for i := range clickLength {
		s[clickAt+i] = int16(16000 * sineAt(2000, i))
	}
	return s
}

// sineAt is sample i of a sine at hz, at the engine's rate.
func sineAt(hz float64, i int) float64 {
	return math.Sin(2 * math.Pi * hz * float64(i) / audio.SampleRate)
}

// onset is the index of the first sample of pcm above a quarter of its peak.
func onset(pcm []int16) int {
	peak := 0
	for _, v := range pcm {
		peak = max(peak, abs(int(v)))
	}
	for i, v := range pcm {
		if peak > 0 && abs(int(v))*4 > peak {
			return i
		}
	}
	return -1
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// latencyCodecs are the codecs measured.
func latencyCodecs() []string {
	if opus.Available {
		return []string{"PCMU", "G722", "opus"}
	}
	return []string{"PCMU", "G722"}
}

// measureTX is capture → RTP out: frames go to WriteFrame as the media
// clock hands them on, each once its last sample is captured (frame i at
// i × 20 ms on the capture clock); a peer decodes the packets as they
// arrive. The latency is when the click's packet arrived, plus the click's
// place in its decoded audio, less when the click was captured: the time
// from capture to where the click would start playing were the packet
// played on arrival. It holds the packetisation (a packet of audio) and the
// codec's look-ahead besides the engine's work.
func measureTX(t *testing.T, name string, ptime time.Duration) time.Duration {
	t.Helper()
	enc, err := codec.New(name, "")
	if err != nil {
		t.Fatal(err)
	}
	format, _ := codec.Lookup(name)
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	s := openStream(t, Config{})
	if err := s.Start(Params{Remote: sink.LocalAddr().(*net.UDPAddr), Codec: enc, PayloadType: format.PT, PacketTime: ptime}); err != nil {
		t.Fatal(err)
	}
	frames := 24
	signal := clickSignal(frames * audio.FrameSamples)
	dec := ownRate(t, name)
	frameTime := audio.FrameMillis * time.Millisecond
	buf := make([]byte, maxPacket)
	for i := range frames {
		handed := time.Now()
		sentBefore := s.Stats().PacketsSent
		if err := s.WriteFrame(signal[i*audio.FrameSamples : (i+1)*audio.FrameSamples]); err != nil {
			t.Fatal(err)
		}
		for range s.Stats().PacketsSent - sentBefore {
			sink.SetReadDeadline(time.Now().Add(2 * time.Second))
			n, _, err := sink.ReadFromUDP(buf)
			if err != nil {
				t.Fatal(err)
			}
			arrived := time.Since(handed) // after the frame was handed on
			var p rtp.Packet
			if err := p.Unmarshal(buf[:n]); err != nil {
				t.Fatal(err)
			}
			pcm := dec.Decode(nil, p.Payload)
			if at := onset(pcm); at >= 0 && peakOf(pcm) > 4000 {
				// On the capture clock: frame i was handed on at (i+1) frames.
				captured := time.Duration(clickAt) * time.Second / audio.SampleRate
				playable := time.Duration(i+1)*frameTime + arrived + time.Duration(at)*time.Second/time.Duration(dec.SampleRate())
				return playable - captured
			}
		}
	}
	t.Fatal("the click never left")
	return 0
}

// ownRate is a decoder of name at the codec's own rate, with no resampler:
// the far end's in capture → RTP out, the reference in RTP in → playback, so
// that the engine's resamplers count in its latency and no other.
func ownRate(t *testing.T, name string) audio.Codec {
	t.Helper()
	c, err := codec.New(name, "")
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := c.(interface{ Unwrap() audio.Codec }); ok {
		return u.Unwrap()
	}
	return c
}

func peakOf(pcm []int16) int {
	peak := 0
	for _, v := range pcm {
		peak = max(peak, abs(int(v)))
	}
	return peak
}

// measureRX is RTP in → playback: packets arrive as the sender sends them
// (each once its last sample is captured, on no network), a stream receives
// them on a simulated clock, and the media clock reads a frame every 20 ms,
// half a frame out of phase with the sender, handing it on to be played. The
// latency is when the click is handed on to be played, less when it could
// have been at the earliest: its packet's arrival plus its place in the
// packet's audio (from a decoder of the same packets). It is the jitter
// buffer's delay and the wait for the media clock's next tick.
func measureRX(t *testing.T, name string, ptime time.Duration) (latency, target time.Duration) {
	t.Helper()
	enc, err := codec.New(name, "")
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := codec.New(name, "")
	ref := ownRate(t, name)
	format, _ := codec.Lookup(name)
	var clock atomic.Int64
	epoch := time.Unix(1_700_000_000, 0)
	s := openStream(t, Config{Now: func() time.Time { return epoch.Add(time.Duration(clock.Load())) }, RTCPInterval: time.Hour})
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	if err := s.Start(Params{Remote: src, Codec: dec, PayloadType: format.PT}); err != nil {
		t.Fatal(err)
	}
	frame, frameTime := audio.FrameSamples, audio.FrameMillis*time.Millisecond
	per := packetSamples(ptime)
	refPer := int(time.Duration(ref.SampleRate()) * ptime / time.Second)
	units := uint32(time.Duration(format.ClockRate) * ptime / time.Second)
	signal := clickSignal(60 * frame)
	var decoded []int16
	var packets [][]byte
	for i := range len(signal) / per {
		payload := enc.Encode(nil, signal[i*per:(i+1)*per])
		decoded = ref.Decode(decoded, payload)
		packets = append(packets, rawPacket(t, format.PT, uint16(i), uint32(i)*units, 42, false, payload))
	}
	arrival := func(i int) time.Duration { return time.Duration(i+1) * ptime }

	var out []int16
	pcm := make([]int16, frame)
	next := 0
	for tick := range len(signal)/frame + 10 {
		now := time.Duration(tick)*frameTime + frameTime/2
		for ; next < len(packets) && arrival(next) <= now; next++ {
			clock.Store(int64(arrival(next)))
			s.handleRTP(packets[next], src)
		}
		clock.Store(int64(now))
		s.ReadFrame(pcm)
		out = append(out, pcm...)
	}
	o, r := onset(out), onset(decoded)
	if o < 0 || r < 0 {
		t.Fatalf("the click: played at sample %d, decoded at %d", o, r)
	}
	played := time.Duration(o/frame)*frameTime + frameTime/2 + time.Duration(o%frame)*time.Second/audio.SampleRate
	earliest := arrival(r/refPer) + time.Duration(r%refPer)*time.Second/time.Duration(ref.SampleRate())
	return played - earliest, s.Stats().JitterTarget
}

// TestEngineLatency is the engine's own latency per direction, measured
// with a click (docs/audio-quality.md lists the figures). Capture → RTP out
// is at most a packet of audio, which packetisation takes, and the codec's
// look-ahead; RTP in → playback at most the jitter buffer's target and a
// frame, the wait for the media clock's tick. An engine that held a frame
// more either way fails.
func TestEngineLatency(t *testing.T) {
	// Each codec's own delay: G.711's is the engine's resampler to 8 kHz
	// (speexdsp, quality 6), G.722's its QMF filter, Opus's its look-ahead.
	lookAhead := map[string]time.Duration{"PCMU": 6500 * time.Microsecond, "G722": 1500 * time.Microsecond, "opus": 6500 * time.Microsecond}
	for _, name := range latencyCodecs() {
		for _, ptime := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond} {
			t.Run(fmt.Sprintf("%s/%v", name, ptime), func(t *testing.T) {
				tx := measureTX(t, name, ptime)
				rx, target := measureRX(t, name, ptime)
				t.Logf("capture → RTP out %v, RTP in → playback %v (jitter buffer target %v)", tx.Round(100*time.Microsecond), rx.Round(100*time.Microsecond), target)
				// The engine's work in WriteFrame, on a loaded machine.
				const work = 5 * time.Millisecond
				if limit := ptime + lookAhead[name] + work; tx > limit {
					t.Errorf("capture → RTP out %v, want at most %v: a packet, the codec's look-ahead and the work", tx, limit)
				}
				if limit := target + audio.FrameMillis*time.Millisecond; rx > limit {
					t.Errorf("RTP in → playback %v, want at most %v: the jitter buffer's target and a frame", rx, limit)
				}
			})
		}
	}
}

package media

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/quality"
)

// impairment is a seeded network between two endpoints: each packet is lost
// with probability loss, else delayed by a base and a uniform extra of up to
// jitter, which reorders packets as a real path does.
type impairment struct {
	loss   float64
	jitter time.Duration
	seed   uint64
	packet time.Duration // the sender's packet time; zero is a frame
}

// pipelineResult is what a listener at the far end got.
type pipelineResult struct {
	delay      time.Duration // end-to-end, by cross-correlation
	segSNR     float64       // dB, every frame, each aligned with its source
	concealSNR float64       // dB, the concealed frames only
	stats      Stats
	rating     quality.Estimate
}

const pipelineBase = 10 * time.Millisecond // the path's fixed delay

// runPipeline sends signal, encoded by the named codec, through im into a
// Stream whose receive path is driven on a simulated clock: packets arrive at
// their impaired times, and the media clock reads one frame every 20 ms. The
// reference is the codec's own output without a network, so the score is the
// transport's and the concealment's alone.
func runPipeline(t *testing.T, codec string, signal []int16, im impairment) pipelineResult {
	t.Helper()
	enc, err := audio.NewCodec(codec)
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := audio.NewCodec(codec)
	return runPipelineWith(t, enc, dec, signal, im)
}

// runPipelineWith is runPipeline with the sender's encoder and the receiver's
// decoder given.
func runPipelineWith(t *testing.T, enc, dec audio.Codec, signal []int16, im impairment) pipelineResult {
	t.Helper()
	codec := enc.Name()
	var clock atomic.Int64
	epoch := time.Unix(1_700_000_000, 0)
	s := openStream(t, Config{Now: func() time.Time { return epoch.Add(time.Duration(clock.Load())) }, RTCPInterval: time.Hour})
	if err := s.Start(Params{Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}, Codec: dec, PayloadType: enc.PayloadType()}); err != nil {
		t.Fatal(err)
	}
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}

	frame, frameTime := audio.FrameSamples, audio.FrameMillis*time.Millisecond
	packetTime := cmp.Or(im.packet, frameTime)
	packet := frame * int(packetTime) / int(frameTime)
	unitsPerPacket := uint32(enc.ClockRate() * int(packetTime/time.Millisecond) / 1000)
	type arrival struct {
		at  time.Duration
		pkt []byte
	}
	rng := rand.New(rand.NewPCG(im.seed, 99))
	var arrivals []arrival
	ref := make([]int16, 0, len(signal))
	frames := len(signal) / frame
	for i := range len(signal) / packet {
		payload := enc.Encode(nil, signal[i*packet:(i+1)*packet])
		ref = enc.Decode(ref, payload)
		if rng.Float64() < im.loss {
			continue
		}
		extra := time.Duration(rng.Float64() * float64(im.jitter))
		arrivals = append(arrivals, arrival{
			at:  time.Duration(i)*packetTime + packetTime - frameTime + pipelineBase + extra, // sent once its last frame is in
			pkt: rawPacket(t, enc.PayloadType(), uint16(1000+i), uint32(i)*unitsPerPacket, 42, false, payload),
		})
	}
	slices.SortStableFunc(arrivals, func(a, b arrival) int { return int(a.at - b.at) })

	out := make([]int16, 0, len(signal)+frame*20)
	good := make([]bool, 0, frames+20)
	pcm := make([]int16, frame)
	next := 0
	for tick := range frames + 20 {
		now := time.Duration(tick)*frameTime + frameTime/2 // the clock's phase against the sender's
		for ; next < len(arrivals) && arrivals[next].at <= now; next++ {
			clock.Store(int64(arrivals[next].at))
			s.handleRTP(arrivals[next].pkt, src)
		}
		clock.Store(int64(now))
		good = append(good, s.ReadFrame(pcm))
		out = append(out, pcm...)
	}

	res := pipelineResult{stats: s.Stats()}
	// The delay over two seconds in the middle, once the buffer has adapted.
	mid, span := len(ref)/2, 2*audio.SampleRate
	lag := audio.Delay(ref[mid:mid+span], out[mid:], 20*frame)
	res.delay = time.Duration(lag) * time.Second / audio.SampleRate
	// The delay moves by whole packets: the lags to try step by what packets
	// and frames have in common.
	step := frame
	for packet%step != 0 {
		step = packet % step
	}
	res.segSNR, res.concealSNR = alignedScores(ref, out, good, frame, step)
	res.rating = quality.Rate(quality.Input{Codec: codec, Delay: res.delay, Loss: 100 * im.loss})
	return res
}

// exactMatch is the segmental SNR of a frame decoded as its source was: a good
// frame's lag is the one that gives it.
const exactMatch = 30

// alignedScores scores out against ref frame by frame. The jitter buffer moves
// the delay by whole packets, so each good frame is matched with the source
// audio it is (the lag, in steps of step samples, at which it matches
// exactly) and each other frame with the audio its predecessor's lag points
// at. With packets of a frame, step is a frame.
func alignedScores(ref, out []int16, good []bool, frame, step int) (all, concealed float64) {
	var allRef, allOut, cRef, cOut []int16
	lag := -1 // samples
	for m := range good {
		o := out[m*frame : (m+1)*frame]
		if good[m] && !sameFrame(ref, o, m*frame-lag, frame) {
			best, bestSNR := -1, -1e9
			for k := 0; k*step <= 16*frame && m*frame-k*step >= 0; k++ {
				at := m*frame - k*step
				if at+frame > len(ref) {
					continue
				}
				if snr := audio.SegmentalSNR(ref[at:at+frame], o, frame); snr > bestSNR {
					best, bestSNR = k*step, snr
				}
			}
			if bestSNR >= exactMatch {
				lag = best // else a frame of silence, which matches any pause
			}
		}
		// A concealed frame keeps its predecessor's lag: it stands for the
		// source audio that was due (an inserted one, for the one to come).
		at := m*frame - lag
		if lag < 0 || at < 0 || at+frame > len(ref) {
			continue
		}
		r := ref[at : at+frame]
		allRef, allOut = append(allRef, r...), append(allOut, o...)
		if !good[m] {
			cRef, cOut = append(cRef, r...), append(cOut, o...)
		}
	}
	return audio.SegmentalSNR(allRef, allOut, frame), audio.SegmentalSNR(cRef, cOut, frame)
}

// sameFrame reports whether o is the frame of ref starting at sample at,
// sample for sample.
func sameFrame(ref, o []int16, at, frame int) bool {
	return at >= 0 && at+frame <= len(ref) && slices.Equal(ref[at:at+frame], o)
}

// TestPipelineQuality is the receive pipeline measured as audio, per codec: a
// speech-like signal through encode, RTP with 0, 3 and 10 % loss and 0 to 60 ms
// of jitter (100 ms beyond), the jitter buffer, decode and concealment. Delay (cross-
// correlation) and segmental SNR must meet thresholds that a fixed or a broken
// buffer (late frames, delay) and missing concealment (the concealed frames'
// score) fail; the G.107 E-model rating is logged beside them. docs/audio-quality.md
// lists the figures.
func TestPipelineQuality(t *testing.T) {
	signal := audio.VoicedSpeechLike(audio.SampleRate, 20*audio.SampleRate, 4)
	cases := []struct {
		loss      float64
		jitter    time.Duration
		maxDelay  time.Duration // end to end, the path's 10 ms included
		minSNR    float64       // dB, every frame
		maxLate   uint64        // packets that came after their turn
		minConcSN float64       // dB, the concealed frames
	}{
		{0, 0, 50 * time.Millisecond, 34, 0, 0},
		{0, 20 * time.Millisecond, 80 * time.Millisecond, 34, 3, 0},
		{0, 60 * time.Millisecond, 120 * time.Millisecond, 34, 10, 0},
		{0, 100 * time.Millisecond, 160 * time.Millisecond, 34, 10, 0}, // beyond 60 ms, the old fixed delay
		{0.03, 0, 60 * time.Millisecond, 31, 0, 0.5},
		{0.03, 60 * time.Millisecond, 120 * time.Millisecond, 31, 10, 0.5},
		{0.10, 0, 60 * time.Millisecond, 27, 0, 1.5},
		{0.10, 60 * time.Millisecond, 120 * time.Millisecond, 27, 10, 1.5},
	}
	for _, codec := range audio.CodecNames() {
		for _, c := range cases {
			name := fmt.Sprintf("%s/loss%.0f%%/jitter%v", codec, 100*c.loss, c.jitter)
			t.Run(name, func(t *testing.T) {
				r := runPipeline(t, codec, signal, impairment{loss: c.loss, jitter: c.jitter, seed: 5})
				t.Logf("delay %v (target %v), segmental SNR %.1f dB, concealed frames %.1f dB; late %d, lost %d, concealed %d, dropped %d, inserted %d; E-model R %.1f MOS %.2f",
					r.delay, r.stats.JitterTarget, r.segSNR, r.concealSNR, r.stats.Late, r.stats.Lost, r.stats.Concealed,
					r.stats.JitterDropped, r.stats.JitterInserted, r.rating.R, r.rating.MOS)
				if r.delay > c.maxDelay {
					t.Errorf("delay %v, want at most %v", r.delay, c.maxDelay)
				}
				if r.segSNR < c.minSNR {
					t.Errorf("segmental SNR %.1f dB, want %.0f dB", r.segSNR, c.minSNR)
				}
				if r.stats.Late > c.maxLate {
					t.Errorf("%d packets late, want at most %d", r.stats.Late, c.maxLate)
				}
				if c.loss > 0 && r.concealSNR < c.minConcSN {
					t.Errorf("concealed frames at %.1f dB, want %.1f dB (silence scores 0)", r.concealSNR, c.minConcSN)
				}
			})
		}
	}
}

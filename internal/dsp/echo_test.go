package dsp

import (
	"fmt"
	"math"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// TestEchoCancellation plays a speech-like far-end signal into a simulated room
// (50 to 200 ms of delay, 6 dB of attenuation, reverberation) and captures it
// with a little noise; after 16 s the near end speaks too (double-talk). The
// echo return loss enhancement over seconds 12 to 16 (converged, far end
// alone; segmental, over 100 ms segments) must reach 25 dB. During double-talk
// the output must keep the near-end speech: its level within 3 dB, and its
// segmental SNR against the near-end speech alone at least 6 dB and no more
// than 1 dB below the microphone's own (what a canceller that clips or
// suppresses the near end fails). AEC runs with noise suppression, as by
// default; AGC, which changes the level, is off for the measure.
func TestEchoCancellation(t *testing.T) {
	if !Available() {
		t.Skip("no speexdsp in a build without cgo")
	}
	const (
		minERLE      = 25.0 // dB
		maxSNRLoss   = 1.0  // dB of segmental SNR below the microphone's, in double-talk
		minSNR       = 6.0  // dB of segmental SNR against the near end alone, in double-talk
		maxLevelLoss = 3.0  // dB of the near-end speech's level, in double-talk
	)
	for _, rate := range []int{8000, 16000, 48000} {
		for _, delayMs := range []int{50, 200} {
			t.Run(fmt.Sprintf("%dHz/%dms", rate, delayMs), func(t *testing.T) {
				t.Parallel()
				frame := rate / 50
				far := audio.SpeechLike(rate, 20*rate, 1)
				near := audio.SpeechLike(rate, 20*rate, 2)
				dt := 16 * rate // double-talk from here
				clear(near[:dt])
				noise := noiseFloor(len(far), 3)
				pickup := roomEcho(far, rate, delayMs, -6, 5)
				mic := make([]int16, len(far))
				for i := range mic {
					mic[i] = clamp(pickup[i] + float64(near[i]) + noise[i])
				}

				p, err := New(Options{Rate: rate, Frame: frame, Features: Features{AEC: true, Denoise: true}})
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				out := append([]int16(nil), mic...)
				for at := 0; at+frame <= len(out); at += frame {
					p.Playback(far[at : at+frame])
					p.Capture(out[at : at+frame])
				}

				erle := segmentalERLE(mic[12*rate:dt], out[12*rate:dt], rate/10)
				lat := p.Latency()
				if got := audio.Delay(near[dt:], out[dt:], 2*frame); got != lat {
					t.Errorf("output %d samples behind, want the Latency %d", got, lat)
				}
				dtSNR := audio.SegmentalSNR(near[dt:], out[dt+lat:], frame)
				micSNR := audio.SegmentalSNR(near[dt:], mic[dt:], frame)
				levelLoss := audio.DBFS(near[dt:]) - audio.DBFS(out[dt+lat:])
				t.Logf("%d Hz, room %d ms: ERLE %.1f dB; double-talk: segmental SNR %.1f dB (microphone %.1f dB), near-end level %+.1f dB",
					rate, delayMs, erle, dtSNR, micSNR, -levelLoss)
				if erle < minERLE {
					t.Errorf("ERLE %.1f dB, want %.0f dB", erle, minERLE)
				}
				if dtSNR < micSNR-maxSNRLoss || dtSNR < minSNR {
					t.Errorf("double-talk segmental SNR %.1f dB, want %.0f dB and at most %.0f dB below the microphone's %.1f dB",
						dtSNR, minSNR, maxSNRLoss, micSNR)
				}
				if math.Abs(levelLoss) > maxLevelLoss {
					t.Errorf("near-end speech level changed by %.1f dB in double-talk, want within %.0f dB", -levelLoss, maxLevelLoss)
				}
			})
		}
	}
}

// segmentalERLE is the echo return loss enhancement, in dB, of out over mic:
// the mean over segments of seg samples where mic carries echo (above -50
// dBFS) of their level difference, each capped at 60 dB, so a moment of
// perfect cancellation does not swamp the mean, nor a burst of residual echo.
func segmentalERLE(mic, out []int16, seg int) float64 {
	var sum float64
	var n int
	for at := 0; at+seg <= len(mic); at += seg {
		m := audio.DBFS(mic[at : at+seg])
		if m < -50 {
			continue
		}
		sum += min(m-audio.DBFS(out[at:at+seg]), 60)
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// noiseFloor is n samples of white noise near -60 dBFS, from seed.
func noiseFloor(n int, seed uint64) []float64 {
	out := make([]float64, n)
	x := seed*0x9E3779B97F4A7C15 + 1
	for i := range out {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		out[i] = 60 * (float64(x>>11)/(1<<53)*2 - 1)
	}
	return out
}

func clamp(v float64) int16 {
	return int16(max(min(math.Round(v), 32767), -32768))
}

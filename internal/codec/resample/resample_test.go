package resample

import (
	"fmt"
	"math"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// kinds are the resamplers under test: the native one (speexdsp with cgo), the
// pure-Go fallback, and what New builds (the native one, or audio.Halfband
// between a rate and twice it), which must all meet the same bounds.
var kinds = []struct {
	name string
	new  func(in, out int) audio.Resampler
}{
	{Builtin, newNative},
	{"polyphase", func(in, out int) audio.Resampler { return audio.NewPolyphase(in, out) }},
	{"New", New},
}

func isHalfband(r audio.Resampler) bool {
	_, ok := r.(*audio.Halfband)
	return ok
}

// TestNewConvertsG711InGo: a G.711 call's conversions, at every frame of the
// media clock, are the pure-Go half-band filter, not a cgo call.
func TestNewConvertsG711InGo(t *testing.T) {
	for _, p := range [][2]int{{8000, 16000}, {16000, 8000}} {
		if r := New(p[0], p[1]); !isHalfband(r) {
			t.Errorf("New(%d, %d) is a %T, want *audio.Halfband", p[0], p[1], r)
		}
	}
}

// pairs are the rate pairs the engine runs: codec or device rate ↔ 48 kHz, and
// a G.711 call's 8 kHz ↔ the engine's 16 kHz (audio.Halfband in New).
var pairs = [][2]int{{8000, 48000}, {48000, 8000}, {16000, 48000}, {48000, 16000}, {44100, 48000}, {48000, 44100}, {8000, 16000}, {16000, 8000}}

// stream runs seconds of a tone at freq through r in 20 ms frames and returns the
// output after the first 100 ms (the filter's start-up).
func stream(r audio.Resampler, in, out int, freq, amp float64, seconds float64) []int16 {
	frame := in / 50
	var res []int16
	buf := make([]int16, frame)
	for f := range int(seconds * 50) {
		for i := range buf {
			n := f*frame + i
			buf[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(n)/float64(in))))
		}
		res = r.Process(res, buf)
	}
	return res[out/10:]
}

func db(level, ref float64) float64 { return 20 * math.Log10(level/ref) }

// TestPassBandFlat: tones up to 0.9 of the lower rate's Nyquist frequency come
// out within ±1 dB.
func TestPassBandFlat(t *testing.T) {
	for _, k := range kinds {
		for _, p := range pairs {
			in, out := p[0], p[1]
			edge := 0.9 * float64(min(in, out)) / 2
			for _, f := range []float64{300, 1000, edge / 2, edge} {
				t.Run(fmt.Sprintf("%s/%d-%d/%.0fHz", k.name, in, out, f), func(t *testing.T) {
					got := stream(k.new(in, out), in, out, f, 16384, 0.5)
					if g := db(audio.ToneLevel(got, out, f), 0.5); math.Abs(g) > 1 {
						t.Errorf("gain at %.0f Hz = %+.2f dB, want within ±1 dB", f, g)
					}
				})
			}
		}
	}
}

// TestStopBand: what a downsampler cannot represent is removed (not folded into
// the pass band), and an upsampler adds no images, by at least 60 dB.
func TestStopBand(t *testing.T) {
	cases := []struct {
		in, out      int
		tone, listen float64 // the input tone and where its alias or image would land
	}{
		{48000, 8000, 5000, 3000},   // from 1.25 of the output Nyquist: folds to 3 kHz
		{48000, 8000, 6000, 2000},   // would fold to 2 kHz
		{48000, 8000, 10000, 2000},  // from the second zone
		{48000, 8000, 21000, 3000},  // near the input Nyquist
		{48000, 16000, 12000, 4000}, // folds to 4 kHz
		{48000, 16000, 20000, 4000},
		{8000, 48000, 1000, 7000}, // the first image of 1 kHz
		{8000, 48000, 3000, 5000},
		{16000, 48000, 2000, 14000},
		{16000, 8000, 5000, 3000}, // a G.711 call's send side: folds to 3 kHz
		{16000, 8000, 7000, 1000},
		{8000, 16000, 1000, 7000}, // its receive side: the image of 1 kHz
		{8000, 16000, 3000, 5000},
	}
	for _, k := range kinds {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%d-%d/%.0fHz", k.name, c.in, c.out, c.tone), func(t *testing.T) {
				got := stream(k.new(c.in, c.out), c.in, c.out, c.tone, 16384, 0.5)
				if g := db(audio.ToneLevel(got, c.out, c.listen), 0.5); g > -60 {
					t.Errorf("%.0f Hz in gives %+.1f dB at %.0f Hz, want below -60 dB", c.tone, g, c.listen)
				}
			})
		}
	}
}

// TestFrameSizes: every 20 ms frame in gives a whole 20 ms frame out, from the
// first one on, so the media clock never runs short.
func TestFrameSizes(t *testing.T) {
	for _, k := range kinds {
		for _, p := range pairs {
			r := k.new(p[0], p[1])
			in := make([]int16, p[0]/50)
			var out []int16
			for f := range 20 {
				out = r.Process(out[:0], in)
				if len(out) != p[1]/50 {
					t.Fatalf("%s %d→%d frame %d: %d samples, want %d", k.name, p[0], p[1], f, len(out), p[1]/50)
				}
			}
		}
	}
}

// TestSameRateCopies: a resampler between equal rates passes samples through.
func TestSameRateCopies(t *testing.T) {
	got := New(48000, 48000).Process(nil, []int16{1, -2, 3})
	if len(got) != 3 || got[0] != 1 || got[1] != -2 || got[2] != 3 {
		t.Errorf("got %v", got)
	}
}

package audio

import (
	"math"
	"testing"
)

// TestNoiseGenLevel: the noise is within 1 dB of the level it is set to,
// white or shaped, from loud to barely audible, in every frame after the
// first.
func TestNoiseGenLevel(t *testing.T) {
	shapes := map[string][]float64{
		"white":     nil,
		"low-pass":  {-0.9, 0.5},
		"high-pass": {0.7},
		"order 12":  {-0.8, 0.4, -0.2, 0.1, 0, 0.1, -0.1, 0.05, 0, 0, 0.02, -0.02},
	}
	for name, k := range shapes {
		for _, want := range []float64{-20, -40, -60, -70} {
			g := NewNoiseGen()
			g.Set(want, k)
			pcm := make([]int16, FrameSamples)
			var sum float64
			frames := 50
			for i := range frames {
				g.Fill(pcm)
				if lvl := DBFS(pcm); i > 0 && math.Abs(lvl-want) > 3 {
					t.Fatalf("%s at %v dBFS: frame %d at %.1f dBFS", name, want, i, lvl)
				}
				sum += math.Pow(10, DBFS(pcm)/10)
			}
			if got := 10 * math.Log10(sum/float64(frames)); math.Abs(got-want) > 1 {
				t.Errorf("%s at %v dBFS: %.2f dBFS over %d frames", name, want, got, frames)
			}
		}
	}
}

// TestNoiseGenIsNoise: no frame repeats another, and the samples do not
// follow a tone: comfort noise is not a repeated frame.
func TestNoiseGenIsNoise(t *testing.T) {
	g := NewNoiseGen()
	g.Set(-30, nil)
	a, b := make([]int16, FrameSamples), make([]int16, FrameSamples)
	g.Fill(a)
	g.Fill(b)
	if slices16Equal(a, b) {
		t.Fatal("two frames of noise are the same")
	}
	// Held at 8 kHz: every other sample repeats, the 8 kHz samples are white.
	narrow := make([]int16, FrameSamples/2)
	for i := range narrow {
		narrow[i] = b[2*i]
	}
	if gain := predictionGain(narrow); gain > 1 {
		t.Fatalf("white comfort noise predicted with %.1f dB", gain)
	}
}

func TestNoiseGenSilentAtMinDBFS(t *testing.T) {
	g := NewNoiseGen()
	g.Set(MinDBFS, nil)
	pcm := make([]int16, FrameSamples)
	g.Fill(pcm)
	if RMS(pcm) != 0 {
		t.Fatal("noise at MinDBFS is not silence")
	}
}

func TestNoiseGenAllocatesNothing(t *testing.T) {
	g := NewNoiseGen()
	g.Set(-40, []float64{0.5, -0.2})
	pcm := make([]int16, FrameSamples)
	if n := testing.AllocsPerRun(100, func() { g.Fill(pcm) }); n != 0 {
		t.Fatalf("%v allocations per frame", n)
	}
}

func slices16Equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func BenchmarkNoiseGen(b *testing.B) {
	for name, k := range map[string][]float64{"white": nil, "order12": {-0.8, 0.4, -0.2, 0.1, 0, 0.1, -0.1, 0.05, 0, 0, 0.02, -0.02}} {
		b.Run(name, func(b *testing.B) {
			g := NewNoiseGen()
			g.Set(-50, k)
			pcm := make([]int16, FrameSamples)
			b.ReportAllocs()
			for b.Loop() {
				g.Fill(pcm)
			}
		})
	}
}

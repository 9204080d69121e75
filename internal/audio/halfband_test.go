package audio

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestHalfbandIsPolyphase: the half-band resampler gives what the polyphase
// filter it is computed from gives, sample for sample (within rounding), frame
// after frame, both ways and at full scale.
func TestHalfbandIsPolyphase(t *testing.T) {
	for _, p := range [][2]int{{8000, 16000}, {16000, 8000}, {24000, 48000}} {
		t.Run(fmt.Sprintf("%d-%d", p[0], p[1]), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			hb, pp := NewHalfband(p[0], p[1]), NewPolyphase(p[0], p[1])
			if hb.Delay() != pp.Delay() {
				t.Errorf("delay %d, polyphase's %d", hb.Delay(), pp.Delay())
			}
			in := make([]int16, p[0]/50)
			var got, want []int16
			for f := range 30 {
				for i := range in {
					in[i] = int16(rng.IntN(65536) - 32768)
				}
				got, want = hb.Process(got[:0], in), pp.Process(want[:0], in)
				if len(got) != len(want) || len(got) != p[1]/50 {
					t.Fatalf("frame %d: %d samples, polyphase %d, want %d", f, len(got), len(want), p[1]/50)
				}
				for i := range got {
					if d := int(got[i]) - int(want[i]); d < -1 || d > 1 {
						t.Fatalf("frame %d sample %d: %d, polyphase %d", f, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// TestHalfbandAllocatesNothing: once its first frame has grown its history, a
// frame through the resampler allocates nothing.
func TestHalfbandAllocatesNothing(t *testing.T) {
	for _, p := range [][2]int{{8000, 16000}, {16000, 8000}} {
		h := NewHalfband(p[0], p[1])
		in, out := make([]int16, p[0]/50), make([]int16, 0, p[1]/50)
		h.Process(out, in)
		if n := testing.AllocsPerRun(100, func() { out = h.Process(out[:0], in) }); n != 0 {
			t.Errorf("%d→%d: %.0f allocations a frame", p[0], p[1], n)
		}
	}
}

// BenchmarkHalfband is one 20 ms frame of a G.711 call's conversions.
func BenchmarkHalfband(b *testing.B) {
	for _, p := range [][2]int{{8000, 16000}, {16000, 8000}} {
		b.Run(fmt.Sprintf("%d-%d", p[0], p[1]), func(b *testing.B) {
			h := NewHalfband(p[0], p[1])
			in := make([]int16, p[0]/50)
			for i := range in {
				in[i] = int16(i * 37)
			}
			out := make([]int16, 0, p[1]/50)
			b.ReportAllocs()
			for b.Loop() {
				out = h.Process(out[:0], in)
			}
		})
	}
}

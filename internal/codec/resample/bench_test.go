package resample

import (
	"fmt"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// BenchmarkResample is one 20 ms frame through each resampler and rate pair the
// engine may run: a G.711 call at a 48 kHz internal rate converts 8→48 and 48→8
// once a frame each; at a 16 kHz internal rate, 8→16 and 16→8 per call and
// 48↔16 for the device.
func BenchmarkResample(b *testing.B) {
	for _, k := range kinds {
		for _, p := range [][2]int{{8000, 48000}, {48000, 8000}, {8000, 16000}, {16000, 8000}, {16000, 48000}, {48000, 16000}} {
			b.Run(fmt.Sprintf("%s/%d-%d", k.name, p[0], p[1]), func(b *testing.B) {
				r := k.new(p[0], p[1])
				in := make([]int16, p[0]/50)
				for i := range in {
					in[i] = int16(i * 37)
				}
				out := make([]int16, 0, p[1]/50+8)
				b.ReportAllocs()
				for b.Loop() {
					out = r.Process(out[:0], in)
				}
			})
		}
	}
}

var _ audio.Resampler = New(8000, 48000)

// Package resample gives the engine's streaming resampler between a codec's or a
// device's rate and the internal rate: speexdsp's (through cgo) where it is built
// in, else the pure-Go polyphase filter of package audio.
package resample

import "github.com/wpservice/wpservice/internal/audio"

// Quality is the speexdsp quality level the engine uses (0-10). Level 4 keeps
// the pass band flat within 0.1 dB to 0.9 of the lower Nyquist frequency and
// rejects what would alias by more than 60 dB (resample_test.go measures both),
// at a quarter of level 10's cost: see docs/benchmarks.md.
const Quality = 6

// New returns a resampler from rate in to rate out; in == out returns a copier.
// Between a rate and twice it (a G.711 call's 8 kHz and the engine's 16 kHz) it
// is the pure-Go audio.Halfband, as fast as speexdsp's there and no cgo call on
// the media clock: each one wakes the Go runtime's monitor thread
// (docs/benchmarks.md, "Where a call's wake-ups went").
func New(in, out int) audio.Resampler {
	switch {
	case in == out:
		return same{}
	case in == 2*out || out == 2*in:
		return audio.NewHalfband(in, out)
	}
	return newNative(in, out)
}

// same passes the samples through.
type same struct{}

func (same) Process(dst, in []int16) []int16 { return append(dst, in...) }
func (same) Delay() int                      { return 0 }

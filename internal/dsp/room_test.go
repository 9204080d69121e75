package dsp

import (
	"math"
	"math/rand/v2"
)

// roomEcho simulates the acoustic path from a speaker to a microphone: far
// arrives after delayMs, attenuated by attenuationDB, followed by reflections
// about every millisecond decaying by 60 dB over about 100 ms (a small office's
// reverberation). It returns the microphone's pickup.
func roomEcho(far []int16, rate, delayMs int, attenuationDB float64, seed uint64) []float64 {
	type tap struct {
		at   int
		gain float64
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	g := math.Pow(10, attenuationDB/20)
	ms := rate / 1000
	taps := []tap{{0, g}}
	for k := 1 + rng.IntN(ms); k < 60*ms; k += 1 + rng.IntN(ms) {
		decay := math.Exp(-float64(k) / float64(15*ms))
		taps = append(taps, tap{k, g * 0.1 * decay * (rng.Float64()*2 - 1)})
	}
	d := delayMs * ms
	out := make([]float64, len(far))
	for i := range out {
		for _, t := range taps {
			if j := i - d - t.at; j >= 0 {
				out[i] += t.gain * float64(far[j])
			}
		}
	}
	return out
}

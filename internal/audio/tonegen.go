package audio

import "math"

// ToneGen plays a Tone frame by frame at SampleRate: its cadence is counted in
// samples, so steps that are not a whole number of frames (the UK busy tone's
// 375 ms) keep their length, and each frequency's phase carries over from frame to
// frame. It allocates nothing after NewToneGen. A ToneGen is not safe for
// concurrent use.
type ToneGen struct {
	tone  Tone
	steps []int       // each step's length in samples
	step  int         // the step playing
	left  int         // samples left in it
	phase [][]float64 // per step, per frequency: the phase of the next sample
}

// NewToneGen returns a generator of t, at the start of its cadence.
func NewToneGen(t Tone) *ToneGen {
	g := &ToneGen{tone: t, steps: make([]int, len(t.Steps)), phase: make([][]float64, len(t.Steps))}
	for i, s := range t.Steps {
		g.steps[i] = max(1, s.Millis*SampleRate/1000)
		g.phase[i] = make([]float64, len(s.Freqs))
	}
	g.Restart()
	return g
}

// Restart begins the cadence again, at its first step.
func (g *ToneGen) Restart() {
	g.step = 0
	if len(g.steps) > 0 {
		g.left = g.steps[0]
	}
	for _, ph := range g.phase {
		clear(ph)
	}
}

// ReadFrame fills pcm with the next samples of the tone. It never fails.
func (g *ToneGen) ReadFrame(pcm []int16) error {
	if len(g.steps) == 0 {
		clear(pcm)
		return nil
	}
	amp := float64(g.tone.Amplitude)
	for i := range pcm {
		var v float64
		freqs := g.tone.Steps[g.step].Freqs
		ph := g.phase[g.step]
		for k, f := range freqs {
			v += amp * math.Sin(ph[k])
			ph[k] += 2 * math.Pi * f / SampleRate
			if ph[k] > 2*math.Pi {
				ph[k] -= 2 * math.Pi
			}
		}
		pcm[i] = saturate(int32(math.Round(v)))
		if g.left--; g.left == 0 {
			g.step = (g.step + 1) % len(g.steps)
			g.left = g.steps[g.step]
		}
	}
	return nil
}

package audio

import "math"

// ToneSource is a Source that produces an endless sine wave at SampleRate. The phase
// carries over from one frame to the next, so consecutive frames join without a click.
// A ToneSource is not safe for concurrent use.
type ToneSource struct {
	amplitude float64
	step      float64 // phase increment per sample, radians
	phase     float64 // phase of the next sample, in [0, 2π)
}

// NewToneSource returns a source of a sine wave of freqHz with the given peak
// amplitude. A negative amplitude inverts the wave; freqHz above the Nyquist
// frequency (4000 Hz) aliases, as it would on a real line.
func NewToneSource(freqHz float64, amplitude int16) *ToneSource {
	return &ToneSource{
		amplitude: float64(amplitude),
		step:      2 * math.Pi * freqHz / SampleRate,
	}
}

// ReadFrame fills pcm with the next len(pcm) samples of the tone. It never fails.
func (t *ToneSource) ReadFrame(pcm []int16) error {
	for i := range pcm {
		pcm[i] = int16(math.Round(t.amplitude * math.Sin(t.phase)))
		t.phase += t.step
	}
	// Keep the phase small so precision does not decay over a long call.
	t.phase = math.Mod(t.phase, 2*math.Pi)
	return nil
}

// Silence is a Source that produces zeros. Use it as a value: audio.Silence{}.
type Silence struct{}

// ReadFrame fills pcm with zeros. It never fails.
func (Silence) ReadFrame(pcm []int16) error {
	clear(pcm)
	return nil
}

// Discard is a Sink that drops everything written to it. Use it as a value:
// audio.Discard{}.
type Discard struct{}

// WriteFrame drops pcm. It never fails.
func (Discard) WriteFrame([]int16) error { return nil }

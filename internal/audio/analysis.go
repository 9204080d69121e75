package audio

import "math"

// Level analysis used by the engine's level meters and by tests that check what a
// peer actually heard. All functions are pure and allocate at most one window.

// FullScale is the magnitude that 0 dBFS and a tone level of 1.0 refer to.
const FullScale = 32768.0

// MinDBFS is what DBFS reports for digital silence, instead of -Inf (which has no
// JSON encoding).
const MinDBFS = -120.0

// RMS returns the root mean square of pcm in sample units (0 to 32768). It returns 0
// for an empty slice.
func RMS(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var sum float64
	for _, s := range pcm {
		v := float64(s)
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(pcm)))
}

// DBFS returns the RMS level of pcm in dB relative to full scale: 20·log10(RMS/32768).
// A full-scale square wave is 0 dBFS and a full-scale sine is about -3.01 dBFS.
// Silence (and an empty slice) gives MinDBFS; the result is never below MinDBFS.
func DBFS(pcm []int16) float64 {
	rms := RMS(pcm)
	if rms == 0 {
		return MinDBFS
	}
	return max(MinDBFS, 20*math.Log10(rms/FullScale))
}

// ToneLevel returns the amplitude of the sinusoid at freq in pcm (sampled at rate),
// relative to full scale: a full-scale sine at freq gives about 1.0, a half-scale one
// 0.5, and silence, noise or tones well away from freq give about 0.
//
// It runs the Goertzel recurrence at the exact frequency (not rounded to a DFT bin)
// over a Hann-windowed block. The window keeps leakage from other tones small: with
// N samples, a tone more than 2·rate/N Hz away (40 Hz for 400 samples at 8 kHz)
// contributes less than 3% of its amplitude, one twice as far less than 0.5%. Give
// it at least a few periods of the tone; it returns 0 for fewer than two samples or
// a frequency outside (0, rate/2).
func ToneLevel(pcm []int16, rate int, freq float64) float64 {
	if len(pcm) < 2 || rate <= 0 || freq <= 0 || freq >= float64(rate)/2 {
		return 0
	}
	return goertzel(pcm, rate, freq, hann(len(pcm)))
}

// DominantFrequency scans minHz to maxHz in steps of stepHz and returns the frequency
// with the greatest ToneLevel in pcm. It returns 0 when pcm is silent, too short, or
// the range is empty or invalid. Its resolution is stepHz, but a step finer than
// rate/len(pcm) cannot separate close tones.
func DominantFrequency(pcm []int16, rate int, minHz, maxHz, stepHz float64) float64 {
	if len(pcm) < 2 || rate <= 0 || stepHz <= 0 || minHz > maxHz || math.IsNaN(minHz+maxHz+stepHz) {
		return 0
	}
	window := hann(len(pcm))
	best, bestLevel := 0.0, 0.0
	nyquist := float64(rate) / 2
	for i := 0; ; i++ {
		f := minHz + float64(i)*stepHz
		if f > maxHz || f >= nyquist {
			break
		}
		if f <= 0 {
			continue
		}
		if level := goertzel(pcm, rate, f, window); level > bestLevel {
			best, bestLevel = f, level
		}
	}
	return best
}

// goertzel returns the windowed amplitude at freq, normalised to full scale.
func goertzel(pcm []int16, rate int, freq float64, window []float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2, wsum float64
	for i, x := range pcm {
		s0 := float64(x)*window[i] + coeff*s1 - s2
		s2, s1 = s1, s0
		wsum += window[i]
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	if power < 0 || wsum == 0 { // rounding on an all-zero block
		return 0
	}
	// A sine of amplitude A gives |X| = A·Σw/2.
	return 2 * math.Sqrt(power) / (wsum * FullScale)
}

// hann returns a periodic Hann window of n points.
func hann(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	return w
}

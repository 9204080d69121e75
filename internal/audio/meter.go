package audio

import "math"

// Meter measures the RMS level of a stream over consecutive frames: Write adds frames,
// DBFS reports the level of everything written since the last Reset. It keeps two
// numbers and never allocates, so it can sit on the 20 ms path. The zero value is an
// empty meter. A Meter is not safe for concurrent use.
type Meter struct {
	sum int64 // sum of squared samples; 2^33 full-scale samples before it could overflow
	n   int64 // samples written
}

// Write adds the samples of pcm to the measurement.
func (m *Meter) Write(pcm []int16) {
	var sum int64
	for _, s := range pcm {
		v := int64(s)
		sum += v * v
	}
	m.sum += sum
	m.n += int64(len(pcm))
}

// Samples returns how many samples were written since the last Reset.
func (m *Meter) Samples() int64 { return m.n }

// DBFS returns the RMS level of the samples written since the last Reset, in dB
// relative to full scale, like the package function DBFS over the same samples
// joined. Silence, or nothing written, gives MinDBFS.
func (m *Meter) DBFS() float64 {
	if m.sum == 0 || m.n == 0 {
		return MinDBFS
	}
	rms := math.Sqrt(float64(m.sum) / float64(m.n))
	return max(MinDBFS, 20*math.Log10(rms/FullScale))
}

// Reset empties the meter for the next window.
func (m *Meter) Reset() { *m = Meter{} }

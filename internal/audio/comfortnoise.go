package audio

import "math"

// cnRate is the rate comfort noise is modelled at: the 8000 Hz clock of the
// codecs it goes with (RFC 3389 section 4), whose band its spectrum covers.
const cnRate = 8000

// maxNoiseOrder bounds the spectral model of NoiseGen.
const maxNoiseOrder = 12

// maxReflection keeps a reflection coefficient inside the unit circle, where
// the synthesis filter is stable: RFC 3389's octet 255 means exactly 1.
const maxReflection = 0.995

// NoiseGen generates comfort noise at the engine's rate: Gaussian noise at a
// level, white, or shaped by the reflection coefficients of an all-pole model
// (RFC 3389 section 3.2) through a lattice synthesis filter. It is modelled
// at 8000 Hz, each sample held for the engine's rate, as the band of the
// narrowband codecs it stands in for. It allocates nothing and is not safe
// for concurrent use.
type NoiseGen struct {
	rng    uint64
	gain   float64 // the excitation's RMS that gives the level through the filter
	order  int
	k      [maxNoiseOrder]float64
	b      [maxNoiseOrder + 1]float64 // the lattice's backward state
	held   float64                    // the last 8 kHz sample, for the next output sample
	phase  int                        // output samples of held given so far
	stride int                        // output samples per 8 kHz sample
}

// NewNoiseGen returns a generator of white noise at digital silence; Set
// gives it a level and a spectrum.
func NewNoiseGen() *NoiseGen {
	return &NoiseGen{rng: 0x9e3779b97f4a7c15, stride: max(SampleRate/cnRate, 1)}
}

// Set makes the noise dbfs loud (RMS against full scale, as DBFS measures)
// with the spectrum of the reflection coefficients k, white without any. The
// filter's state is kept when the spectrum stays, so that a level update is
// not heard as a click.
func (g *NoiseGen) Set(dbfs float64, k []float64) {
	k = k[:min(len(k), maxNoiseOrder)]
	same := len(k) == g.order
	for i := range k {
		c := min(max(k[i], -maxReflection), maxReflection)
		same = same && c == g.k[i]
		g.k[i] = c
	}
	if !same {
		g.b = [maxNoiseOrder + 1]float64{}
	}
	g.order = len(k)
	// An all-pole filter with reflection coefficients k_i turns unit white
	// noise into noise of power 1/Π(1-k_i²): the excitation is scaled down
	// by that much.
	power := 1.0
	for _, c := range g.k[:g.order] {
		power *= 1 - c*c
	}
	g.gain = 0
	if dbfs > MinDBFS {
		g.gain = FullScale * math.Pow(10, dbfs/20) * math.Sqrt(power)
	}
}

// Fill fills pcm with the noise.
func (g *NoiseGen) Fill(pcm []int16) {
	for i := range pcm {
		if g.phase == 0 {
			g.held = g.next()
		}
		if g.phase++; g.phase == g.stride {
			g.phase = 0
		}
		pcm[i] = roundSat16(float32(g.held))
	}
}

// next is the next sample at 8000 Hz: the lattice synthesis filter run on a
// Gaussian excitation.
func (g *NoiseGen) next() float64 {
	f := g.gain * g.gaussian()
	for i := g.order - 1; i >= 0; i-- {
		f -= g.k[i] * g.b[i]
		g.b[i+1] = g.b[i] + g.k[i]*f
	}
	g.b[0] = f
	return f
}

// gaussian is a sample of unit variance, near enough Gaussian: the sum of
// the four 16-bit uniform samples in one 64-bit random number (variance
// 65536²/12 each), centred and scaled.
func (g *NoiseGen) gaussian() float64 {
	r := g.xorshift()
	sum := r&0xffff + r>>16&0xffff + r>>32&0xffff + r>>48
	return (float64(sum) - 2*65535) * (math.Sqrt(3) / 65536)
}

// xorshift is xorshift64*: fast, and random enough to be heard as noise.
func (g *NoiseGen) xorshift() uint64 {
	g.rng ^= g.rng >> 12
	g.rng ^= g.rng << 25
	g.rng ^= g.rng >> 27
	return g.rng * 0x2545f4914f6cdd1d
}

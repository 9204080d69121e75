package audio

import "math"

// Resample converts pcm from one sample rate to another and returns a new slice of
// about len(pcm)·to/from samples. It is meant for whole buffers (a WAV prompt or
// ringtone loaded at start-up), not for the per-frame media path.
//
// The filter is a windowed sinc (Kaiser window, β = 8, 16 zero crossings each side)
// with its cut-off at 0.95 of the lower of the two Nyquist frequencies, so it both
// interpolates and removes what would alias when downsampling (a 44.1 kHz file's
// 5–22 kHz content must not fold into the 0–4 kHz band of a phone call). Stop-band
// attenuation is about 80 dB, well beyond what G.711 keeps. The kernel is tabulated
// once per call at 64 points per input sample and interpolated linearly, which works
// for any pair of rates, including ones with no small common divisor (44100 ↔ 8000,
// 11025 ↔ 8000). Samples outside pcm count as zero.
func Resample(pcm []int16, from, to int) []int16 {
	if from <= 0 || to <= 0 {
		return nil
	}
	if from == to {
		return append([]int16(nil), pcm...)
	}
	k := newSincKernel(from, to)
	ratio := float64(from) / float64(to) // input samples per output sample
	out := make([]int16, int(int64(len(pcm))*int64(to)/int64(from)))
	for n := range out {
		t := float64(n) * ratio // position of output n on the input time axis
		first := max(0, int(math.Ceil(t-k.halfWidth)))
		last := min(len(pcm)-1, int(math.Floor(t+k.halfWidth)))
		var acc float64
		for i := first; i <= last; i++ {
			acc += float64(pcm[i]) * k.at(t-float64(i))
		}
		out[n] = int16(max(math.MinInt16, min(math.MaxInt16, math.Round(acc))))
	}
	return out
}

const (
	sincZeroCrossings = 16  // kernel half-width, in zero crossings of the sinc
	sincOversample    = 64  // table points per input sample
	sincKaiserBeta    = 8.0 // Kaiser window shape: ~80 dB stop band
	sincCutoff        = 0.95
)

// sincKernel is a tabulated, symmetric low-pass interpolation kernel in units of
// input samples.
type sincKernel struct {
	table     []float64 // kernel at distance i/sincOversample, i = 0..len-1
	halfWidth float64   // kernel is zero beyond ±halfWidth input samples
}

func newSincKernel(from, to int) sincKernel {
	// Cut-off as a fraction of the input Nyquist frequency.
	fc := sincCutoff * min(1, float64(to)/float64(from))
	halfWidth := sincZeroCrossings / fc
	table := make([]float64, int(halfWidth*sincOversample)+2)
	i0Beta := besselI0(sincKaiserBeta)
	for i := range table {
		d := float64(i) / sincOversample
		if d > halfWidth {
			break // the last entries stay zero
		}
		r := d / halfWidth
		window := besselI0(sincKaiserBeta*math.Sqrt(1-r*r)) / i0Beta
		table[i] = fc * sinc(fc*d) * window
	}
	return sincKernel{table: table, halfWidth: halfWidth}
}

// at returns the kernel value at distance d (input samples), interpolating the table.
func (k *sincKernel) at(d float64) float64 {
	pos := math.Abs(d) * sincOversample
	i := int(pos)
	if i+1 >= len(k.table) {
		return 0
	}
	frac := pos - float64(i)
	return k.table[i] + frac*(k.table[i+1]-k.table[i])
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the zeroth-order modified Bessel function of the first kind, by its
// power series (converges fast for the arguments a Kaiser window uses).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; term > sum*1e-12; k++ {
		term *= q / float64(k*k)
		sum += term
	}
	return sum
}

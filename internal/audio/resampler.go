package audio

import "math"

// Resampler converts a stream of mono PCM from one rate to another, frame by
// frame, keeping the filter's history between calls. Process appends the
// converted samples of in to dst and returns it; a frame of in rates·20 ms gives a
// frame at the output rate. One Resampler serves one stream on one goroutine.
type Resampler interface {
	Process(dst, in []int16) []int16
	// Delay is the filter's group delay in output samples.
	Delay() int
}

// Polyphase is the pure-Go streaming resampler: a rational L/M polyphase FIR
// (windowed sinc, Kaiser β = 8, 16 zero crossings each side, cut-off at 0.95 of
// the lower Nyquist frequency: the filter of Resample, precomputed per phase). It
// is what the engine uses where the speexdsp resampler of internal/codec/resample
// is not built in (a build without cgo).
type Polyphase struct {
	up, down int         // L and M: out = in·L/M
	taps     int         // coefficients per phase
	phases   [][]float32 // phases[p][k]: weight of hist[n+k] for an output of phase p
	hist     []float32   // input not yet passed by the filter, starting at hist[0]
	pos      int         // next output's window start n = pos/L, phase pos%L
}

// The polyphase filter's design: its cut-off sits at the lower Nyquist
// frequency itself, so that the pass band is flat to 0.9 of it; the alias of
// what lies above falls above 0.9 too only from 1.1 on, where the window has
// brought it 60 dB down.
const (
	polyCutoff        = 1.0
	polyZeroCrossings = 24
)

// NewPolyphase returns a resampler from rate in to rate out (both positive).
func NewPolyphase(in, out int) *Polyphase {
	g := gcd(in, out)
	up, down := out/g, in/g
	fc := polyCutoff * min(1, float64(out)/float64(in)) // of the input Nyquist
	half := int(math.Ceil(polyZeroCrossings / fc))      // input samples each side
	taps := 2 * half
	i0Beta := besselI0(sincKaiserBeta)
	phases := make([][]float32, up)
	for p := range phases {
		phases[p] = make([]float32, taps)
		for k := range taps {
			// The output of phase p lies half-1+p/L input samples after hist[n].
			d := float64(half-1) + float64(p)/float64(up) - float64(k)
			r := d / float64(half)
			if math.Abs(r) >= 1 {
				continue
			}
			w := besselI0(sincKaiserBeta*math.Sqrt(1-r*r)) / i0Beta
			phases[p][k] = float32(fc * sinc(fc*d) * w)
		}
	}
	return &Polyphase{up: up, down: down, taps: taps, phases: phases, hist: make([]float32, taps-1, 4*taps)}
}

// Process appends in, resampled, to dst. In steady state a frame of n input
// samples gives exactly n·L/M output samples when n·L/M is whole.
func (r *Polyphase) Process(dst, in []int16) []int16 {
	for _, v := range in {
		r.hist = append(r.hist, float32(v))
	}
	for {
		n := r.pos / r.up
		if n+r.taps > len(r.hist) {
			break
		}
		window := r.hist[n : n+r.taps]
		var acc float32
		for k, c := range r.phases[r.pos%r.up] {
			acc += c * window[k]
		}
		dst = append(dst, clamp16(acc))
		r.pos += r.down
	}
	drop := min(r.pos/r.up, len(r.hist))
	r.pos -= drop * r.up
	r.hist = append(r.hist[:0], r.hist[drop:]...)
	return dst
}

// Delay is the filter's group delay in output samples.
func (r *Polyphase) Delay() int { return (r.taps/2 - 1) * r.up / r.down }

func clamp16(v float32) int16 {
	return int16(max(math.MinInt16, min(math.MaxInt16, math.Round(float64(v)))))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

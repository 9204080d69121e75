package audio

// Halfband converts between a rate and twice it (8 and 16 kHz: a G.711 call at
// the engine's rate) with the filter of Polyphase, computed for that ratio
// alone: half of a half-band filter's taps are zero and the rest come in
// equal pairs, so an output sample takes 24 multiplications instead of 48 or
// 96 (hbPairs, the multiplications, in four running sums). It is pure Go on purpose: a call's conversions run on the media clock at
// every frame, and a cgo call there (speexdsp's resampler) is a system call to
// the runtime, which wakes its monitor thread once a frame; that wake-up cost
// a call more than the conversion itself (docs/benchmarks.md).
type Halfband struct {
	up   bool
	coef [hbPairs]float32 // the weight each pair of symmetric taps shares (upPairs, downPairs)
	mid  float32          // downsampling: the centre tap's weight
	hist []float32        // input not yet passed by the filter, starting at hist[0]
	pos  int              // downsampling: the next output's window start, 0 or 1
}

// hbPairs is how many pairs of equal, non-zero taps the filter has besides
// its centre, either way: Polyphase's zero crossings on each side.
const hbPairs = polyZeroCrossings

// NewHalfband returns a resampler from rate in to rate out, one twice the
// other, with the response of NewPolyphase(in, out).
func NewHalfband(in, out int) *Halfband {
	if in != 2*out && out != 2*in {
		panic("audio: NewHalfband needs one rate twice the other")
	}
	p := NewPolyphase(in, out)
	h := &Halfband{up: out > in, hist: make([]float32, p.taps-1, p.taps-1+4*max(in, out)/50)}
	if h.up {
		// Phase 0 is the input delayed by hbPairs-1 samples (its only tap, 1, is
		// there); phase 1 has 2·hbPairs taps, k and its mirror sharing a weight.
		copy(h.coef[:], p.phases[1][:hbPairs])
		return h
	}
	// One phase of 4·hbPairs taps centred on 2·hbPairs-1: the centre, then the
	// odd offsets from it, each sharing its mirror's weight; the even offsets
	// are zeros, and so is the last tap.
	ph := p.phases[0]
	h.mid = ph[2*hbPairs-1]
	for j := range h.coef {
		h.coef[j] = ph[2*j]
	}
	return h
}

// Process appends in, resampled, to dst: a frame of n input samples gives 2n
// output samples upsampling, n/2 downsampling (n even), from the first frame on.
func (h *Halfband) Process(dst, in []int16) []int16 {
	for _, v := range in {
		h.hist = append(h.hist, float32(v))
	}
	if h.up {
		return h.upsample(dst)
	}
	return h.downsample(dst)
}

func (h *Halfband) upsample(dst []int16) []int16 {
	n := 0
	for ; n+2*hbPairs <= len(h.hist); n++ {
		w := (*[2 * hbPairs]float32)(h.hist[n:])
		dst = append(dst, roundSat16(w[hbPairs-1]), roundSat16(upPairs(&h.coef, w)))
	}
	h.hist = h.hist[:copy(h.hist, h.hist[n:])]
	return dst
}

func (h *Halfband) downsample(dst []int16) []int16 {
	n := h.pos
	// Polyphase's window is 4·hbPairs taps, the last of them zero: outputs come
	// when it would make them.
	for ; n+4*hbPairs <= len(h.hist); n += 2 {
		w := (*[4*hbPairs - 1]float32)(h.hist[n:])
		dst = append(dst, roundSat16(h.mid*w[2*hbPairs-1]+downPairs(&h.coef, w)))
	}
	drop := min(n, len(h.hist))
	h.pos = n - drop
	h.hist = h.hist[:copy(h.hist, h.hist[drop:])]
	return dst
}

// upPairs is Σ c[j]·(w[j] + w[last-j]): the symmetric taps, each pair added
// before its one multiplication, into four sums that the processor adds in
// parallel (one sum would wait for each addition in turn).
func upPairs(c *[hbPairs]float32, w *[2 * hbPairs]float32) float32 {
	const last = 2*hbPairs - 1
	var a0, a1, a2, a3 float32
	for j := 0; j+3 < hbPairs; j += 4 {
		a0 += c[j] * (w[j] + w[last-j])
		a1 += c[j+1] * (w[j+1] + w[last-j-1])
		a2 += c[j+2] * (w[j+2] + w[last-j-2])
		a3 += c[j+3] * (w[j+3] + w[last-j-3])
	}
	return (a0 + a1) + (a2 + a3)
}

// downPairs is Σ c[j]·(w[2j] + w[last-2j]), as upPairs: the odd offsets from
// the centre; the even ones are the half-band filter's zeros.
func downPairs(c *[hbPairs]float32, w *[4*hbPairs - 1]float32) float32 {
	const last = 4*hbPairs - 2
	var a0, a1, a2, a3 float32
	for j := 0; j+3 < hbPairs; j += 4 {
		k := 2 * j
		a0 += c[j] * (w[k] + w[last-k])
		a1 += c[j+1] * (w[k+2] + w[last-k-2])
		a2 += c[j+2] * (w[k+4] + w[last-k-4])
		a3 += c[j+3] * (w[k+6] + w[last-k-6])
	}
	return (a0 + a1) + (a2 + a3)
}

// Delay is the filter's group delay in output samples, as Polyphase's.
func (h *Halfband) Delay() int {
	if h.up {
		return 2 * (hbPairs - 1)
	}
	return (2*hbPairs - 1) / 2
}

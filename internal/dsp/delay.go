package dsp

import "math"

// The echo path's bulk delay (the device's output and input latency plus the
// sound's way through the room) is found by cross-correlating the envelopes of
// the speaker's and the microphone's signals, so the echo canceller's filter
// need only cover the room's reverberation after it.
const (
	envelopeMs     = 4    // one envelope bin per 4 ms
	delayWindowMs  = 2000 // the stretch of audio compared
	maxDelayMs     = 500  // the longest delay looked for
	estimateEvery  = 500  // ms between estimates
	minCorrelation = 0.6  // a weaker match is not trusted
	delayMarginMs  = 20   // the reference is delayed this much less than found
)

// delayEstimator follows the delay of the microphone's echo behind the speaker.
// It allocates only when made.
type delayEstimator struct {
	bin             int       // samples per envelope bin
	far, near       []float32 // envelope rings of delayWindowMs+maxDelayMs bins
	farLin, nearLin []float32 // the rings in order, oldest first, for estimate
	at              int       // the next bin's slot
	filled          int       // bins written, up to len(far)
	accFar, accNear float32   // the open bin's sums of magnitudes
	inBin           int       // samples in the open bin
	sinceEstimate   int       // bins since the last estimate
	last            int       // the last estimate, in bins; -1 none
}

func newDelayEstimator(rate int) *delayEstimator {
	n := (delayWindowMs + maxDelayMs) / envelopeMs
	return &delayEstimator{
		bin: max(rate*envelopeMs/1000, 1),
		far: make([]float32, n), near: make([]float32, n),
		farLin: make([]float32, n), nearLin: make([]float32, n),
		last: -1,
	}
}

// push adds a tick's speaker and microphone frames (as long as each other).
// It returns the delay in samples and true when two estimates in a row have
// found it (within a bin), which keeps a stray match of double-talk out.
func (d *delayEstimator) push(far, near []int16) (int, bool) {
	found, ok := 0, false
	for i := range far {
		d.accFar += abs(far[i])
		d.accNear += abs(near[i])
		d.inBin++
		if d.inBin < d.bin {
			continue
		}
		d.far[d.at], d.near[d.at] = d.accFar, d.accNear
		d.accFar, d.accNear, d.inBin = 0, 0, 0
		d.at = (d.at + 1) % len(d.far)
		d.filled = min(d.filled+1, len(d.far))
		d.sinceEstimate++
		if d.filled == len(d.far) && d.sinceEstimate >= estimateEvery/envelopeMs {
			d.sinceEstimate = 0
			lag, good := d.estimate()
			if good && d.last >= 0 && lag-d.last <= 1 && d.last-lag <= 1 {
				found, ok = lag*d.bin, true
			}
			if !good {
				lag = -1
			}
			d.last = lag
		}
	}
	return found, ok
}

// estimate returns the lag, in bins, of best normalised correlation between
// the last window of the microphone's envelope and the speaker's before it.
func (d *delayEstimator) estimate() (int, bool) {
	copy(d.farLin, d.far[d.at:])
	copy(d.farLin[len(d.far)-d.at:], d.far[:d.at])
	copy(d.nearLin, d.near[d.at:])
	copy(d.nearLin[len(d.near)-d.at:], d.near[:d.at])
	n, win, lags := len(d.far), delayWindowMs/envelopeMs, maxDelayMs/envelopeMs
	near := d.nearLin[n-win:]
	var meanNear, energyNear float32
	for _, v := range near {
		meanNear += v
	}
	meanNear /= float32(win)
	for _, v := range near {
		energyNear += (v - meanNear) * (v - meanNear)
	}
	best, bestScore := 0, float32(minCorrelation)
	found := false
	for lag := 0; lag <= lags; lag++ {
		far := d.farLin[n-win-lag : n-lag]
		var meanFar float32
		for _, v := range far {
			meanFar += v
		}
		meanFar /= float32(win)
		var corr, energyFar float32
		for k, v := range far {
			f := v - meanFar
			corr += (near[k] - meanNear) * f
			energyFar += f * f
		}
		if energyFar == 0 || energyNear == 0 {
			continue
		}
		if score := corr / float32(math.Sqrt(float64(energyFar*energyNear))); score > bestScore {
			best, bestScore, found = lag, score, true
		}
	}
	return best, found
}

func abs(v int16) float32 {
	if v < 0 {
		return -float32(v)
	}
	return float32(v)
}

// refDelay delays the speaker's signal by a number of samples that may change,
// in a ring allocated once.
type refDelay struct {
	ring  []int16
	w     int // where the next sample goes
	delay int
	out   []int16
}

// newRefDelay returns a delay line of up to maxDelay samples for frames of
// frame samples.
func newRefDelay(maxDelay, frame int) *refDelay {
	return &refDelay{ring: make([]int16, maxDelay+frame), out: make([]int16, frame)}
}

// setDelay sets the delay, in samples, bounded by the ring.
func (d *refDelay) setDelay(n int) {
	d.delay = min(max(n, 0), len(d.ring)-len(d.out))
}

// push stores far (one frame) and returns the frame delay samples older,
// silence before the start. The returned slice is valid until the next push.
func (d *refDelay) push(far []int16) []int16 {
	n := len(d.ring)
	for i, v := range far {
		d.ring[(d.w+i)%n] = v
	}
	for i := range d.out {
		d.out[i] = d.ring[(d.w+i-d.delay+n)%n]
	}
	d.w = (d.w + len(far)) % n
	return d.out
}

package audio

// Concealer is implemented by a codec that conceals a lost frame itself (Opus,
// with its own packet loss concealment). Conceal appends one frame of
// concealment, at the codec's sample rate, to dst and returns it; the receiver
// calls it once per frame that did not arrive. A codec without it is concealed
// by a PLC.
type Concealer interface {
	Conceal(dst []int16) []int16
}

// PLC conceals lost frames of a codec that has no concealment of its own
// (G.711, G.722) by the method of ITU-T G.711 Appendix I: pitch-period
// repetition. At a loss it finds the pitch period of the last audio it saw and
// repeats it, smoothing each repetition's seam by overlap-add over a quarter
// period; 10 ms into the loss it repeats two periods, 20 ms in three, so a long
// loss does not buzz; from 10 ms on it attenuates by 20 % per 10 ms, reaching
// silence at 60 ms. The first good frame after a loss is blended in from the
// synthetic signal over a quarter period plus 4 ms per further 10 ms lost (at
// most 10 ms).
//
// Unlike the Appendix, which delays all audio by 3.75 ms to blend the start of
// a loss too, it adds no delay: the synthetic signal starts where the last
// period began, which continues a voiced signal in phase.
//
// Every constant is a duration, turned into samples at the rate given to
// NewPLC, so it works at any rate. Good and Conceal allocate nothing. A PLC is
// not safe for concurrent use.
type PLC struct {
	rate, msec int // samples per second and per millisecond

	pitchMin, pitchMax int // pitch period search range, 5 to 15 ms
	corrLen            int // the correlation window of the pitch search, 20 ms

	hist   []int16 // the last output, newest at the end: 3 periods + a quarter of the longest
	frame  int     // samples of the last good frame; Conceal makes as many
	lost   int     // samples concealed since the last good frame
	period int     // the pitch period of the current loss
	synth  []int16 // the audio the loss started from: a copy of hist's end
}

// PLC timing, in milliseconds, from G.711 Appendix I.
const (
	plcPitchMinMs   = 5  // 200 Hz
	plcPitchMaxMs   = 15 // 66 Hz
	plcCorrMs       = 20 // correlation window
	plcStepMs       = 10 // a period more, and 20 % less gain, every 10 ms of loss
	plcSilenceMs    = 60 // fully attenuated
	plcRecoverMs    = 4  // the recovery blend grows by 4 ms per 10 ms lost ...
	plcRecoverMaxMs = 10 // ... up to 10 ms
	plcMaxPeriods   = 3
)

// NewPLC returns a concealer for audio at rate samples per second (8000 or
// more).
func NewPLC(rate int) *PLC {
	msec := max(rate/1000, 1)
	p := &PLC{
		rate: rate, msec: msec,
		pitchMin: plcPitchMinMs * msec,
		pitchMax: plcPitchMaxMs * msec,
		corrLen:  plcCorrMs * msec,
	}
	n := max(plcMaxPeriods*p.pitchMax+p.pitchMax/4, p.corrLen+p.pitchMax)
	p.hist = make([]int16, n)
	p.synth = make([]int16, n)
	return p
}

// Good records a frame that arrived. After a loss it blends frame in place from
// the synthetic signal, so the return to real audio has no click.
func (p *PLC) Good(frame []int16) {
	if p.lost > 0 {
		p.recover(frame)
	}
	p.frame = len(frame)
	p.remember(frame)
}

// Conceal appends one frame (as long as the last good one) of concealment to dst.
func (p *PLC) Conceal(dst []int16) []int16 {
	if p.frame == 0 {
		return dst // nothing heard yet: nothing to conceal with, nor a length
	}
	if p.lost == 0 {
		copy(p.synth, p.hist)
		p.period = p.findPitch()
	}
	start := len(dst)
	for range p.frame {
		dst = append(dst, p.sample(p.lost))
		p.lost++
	}
	p.remember(dst[start:])
	return dst
}

// Lost reports whether the last frame was concealed.
func (p *PLC) Lost() bool { return p.lost > 0 }

// recover blends the start of frame from the synthetic signal.
func (p *PLC) recover(frame []int16) {
	steps := (p.lost + plcStepMs*p.msec - 1) / (plcStepMs * p.msec)
	n := min(p.period/4+plcRecoverMs*p.msec*(steps-1), plcRecoverMaxMs*p.msec, len(frame))
	for i := range n {
		w := float32(i+1) / float32(n+1)
		frame[i] = roundSat16(float32(p.sample(p.lost+i))*(1-w) + float32(frame[i])*w)
	}
	p.lost = 0
}

// sample is the synthetic signal at position at of the loss, attenuated.
func (p *PLC) sample(at int) int16 {
	step := plcStepMs * p.msec
	gain := float32(1)
	if at >= step {
		gain = 1 - 0.2*float32(at-step)/float32(step)
		if gain <= 0 {
			return 0
		}
	}
	periods := min(at/step+1, plcMaxPeriods)
	v := p.repeat(periods, at)
	// Each switch to more periods is blended over a quarter period.
	if periods > 1 {
		if k := at - (periods-1)*step; k < p.period/4 {
			w := float32(k+1) / float32(p.period/4+1)
			v = p.repeat(periods-1, at)*(1-w) + v*w
		}
	}
	return roundSat16(v * gain)
}

// repeat is the synthetic signal that loops the last n periods, at position at.
// The last quarter period of the loop is blended with the audio one loop length
// before it, so the loop's end leads smoothly back to its start.
func (p *PLC) repeat(n, at int) float32 {
	h, loop, q := len(p.synth), n*p.period, p.period/4
	pos := at % loop
	v := float32(p.synth[h-loop+pos])
	if k := pos - (loop - q); k >= 0 && h-2*loop+pos >= 0 {
		w := float32(k+1) / float32(q+1)
		v = v*(1-w) + float32(p.synth[h-2*loop+pos])*w
	}
	return v
}

// findPitch returns the lag, within the pitch range, at which the last corrLen
// samples of the history best match the history before them (normalised
// cross-correlation): first on every d-th lag and sample, d about 2 samples at
// 8 kHz, then at every lag around the best one.
func (p *PLC) findPitch() int {
	d := max(2*p.rate/8000, 1)
	best := p.bestLag(p.pitchMin, p.pitchMax, d)
	return p.bestLag(max(best-d, p.pitchMin), min(best+d, p.pitchMax), 1)
}

func (p *PLC) bestLag(from, to, step int) int {
	h := p.synth
	end := len(h)
	win := h[end-p.corrLen:]
	best, bestScore := from, float32(-1)
	for lag := from; lag <= to; lag += step {
		past := h[end-p.corrLen-lag : end-lag]
		var corr, energy float32
		for i := 0; i < len(win); i += step {
			corr += float32(win[i]) * float32(past[i])
			energy += float32(past[i]) * float32(past[i])
		}
		if energy == 0 || corr <= 0 {
			continue
		}
		// corr²/energy compares lags without a square root; a negative corr
		// (opposite phase) was skipped above.
		if score := corr * corr / energy; score > bestScore {
			best, bestScore = lag, score
		}
	}
	return best
}

// remember appends frame to the history.
func (p *PLC) remember(frame []int16) {
	if len(frame) >= len(p.hist) {
		copy(p.hist, frame[len(frame)-len(p.hist):])
		return
	}
	copy(p.hist, p.hist[len(frame):])
	copy(p.hist[len(p.hist)-len(frame):], frame)
}

// roundSat16 rounds v to the nearest int16, saturating.
func roundSat16(v float32) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v < 0:
		return int16(v - 0.5)
	}
	return int16(v + 0.5)
}

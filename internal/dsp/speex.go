//go:build cgo

package dsp

/*
#cgo pkg-config: speexdsp
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

static int ctl_int(SpeexPreprocessState *st, int req, int v) {
	return speex_preprocess_ctl(st, req, &v);
}
static int echo_rate(SpeexEchoState *st, int rate) {
	return speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
}
*/
import "C"

import (
	"sync"
	"time"
	"unsafe"
)

// echoSuppress is the most, in dB, the preprocessor attenuates residual echo
// while the far end speaks alone (speexdsp's default is -40); while the near
// end speaks too it keeps speexdsp's -15, which spares the near-end speech.
const echoSuppress = -60

// Available reports whether this build processes audio.
func Available() bool { return true }

// Processor cancels echo, suppresses noise and controls the gain of one
// microphone. Playback and Capture are called by one goroutine, once each per
// frame; SetFeatures may be called from another. It allocates nothing per frame.
type Processor struct {
	opts  Options
	echo  *C.SpeexEchoState
	pre   *C.SpeexPreprocessState
	delay *refDelay
	est   *delayEstimator
	far   []int16 // the speaker's frame of the current tick
	ref   []int16 // the same, delayed to meet its echo
	out   []int16 // the echo canceller's output

	mu       sync.Mutex
	features Features
	applied  Features // what pre was last set to, by the processing goroutine
}

// New returns a Processor, or an error for bad options.
func New(o Options) (*Processor, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	p := &Processor{
		opts:     o,
		echo:     C.speex_echo_state_init(C.int(o.block()), C.int(o.tailSamples())),
		pre:      C.speex_preprocess_state_init(C.int(o.block()), C.int(o.Rate)),
		delay:    newRefDelay(o.samples(maxDelayMs*time.Millisecond), o.Frame),
		est:      newDelayEstimator(o.Rate),
		far:      make([]int16, o.Frame),
		ref:      make([]int16, o.Frame),
		out:      make([]int16, o.Frame),
		features: o.Features,
	}
	p.delay.setDelay(p.margined(o.samples(o.Delay)))
	C.echo_rate(p.echo, C.int(o.Rate))
	C.ctl_int(p.pre, C.SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, echoSuppress)
	C.speex_preprocess_ctl(p.pre, C.SPEEX_PREPROCESS_SET_ECHO_STATE, unsafe.Pointer(p.echo))
	p.apply(o.Features)
	return p, nil
}

// SetFeatures switches stages on or off from the next frame.
func (p *Processor) SetFeatures(f Features) {
	p.mu.Lock()
	p.features = f
	p.mu.Unlock()
}

// Features reports the stages in effect.
func (p *Processor) Features() Features {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.features
}

// Playback takes the frame the speaker plays this tick: the echo's reference.
func (p *Processor) Playback(far []int16) {
	if len(far) != p.opts.Frame {
		clear(p.far)
	} else {
		copy(p.far, far)
	}
	copy(p.ref, p.delay.push(p.far))
}

// Latency is how much later, in samples, Capture's output is than its input:
// speexdsp's preprocessor holds back one block.
func (p *Processor) Latency() int { return p.opts.block() }

// Delay reports the echo path's delay the reference is set to meet.
func (p *Processor) Delay() time.Duration {
	return time.Duration(p.delay.delay) * time.Second / time.Duration(p.opts.Rate)
}

// Capture processes the microphone's frame of this tick in place.
func (p *Processor) Capture(near []int16) {
	if len(near) != p.opts.Frame {
		return
	}
	p.mu.Lock()
	f := p.features
	p.mu.Unlock()
	if f != p.applied {
		p.apply(f)
	}
	if f.AEC {
		if found, ok := p.est.push(p.far, near); ok {
			p.follow(found)
		}
	}
	for b := 0; b < len(near); b += p.opts.block() {
		p.run(f, near[b:b+p.opts.block()], p.ref[b:], p.out[b:])
	}
}

// run processes one block of the microphone's frame in place.
func (p *Processor) run(f Features, near, ref, out []int16) {
	if f.AEC {
		C.speex_echo_cancellation(p.echo, ptr(near), ptr(ref), ptr(out))
		copy(near, out[:len(near)])
	}
	if f.Denoise || f.AGC || f.AEC {
		// With AEC the preprocessor also suppresses the residual echo.
		C.speex_preprocess_run(p.pre, ptr(near))
	}
}

// Close frees the C state. The Processor must not be used after.
func (p *Processor) Close() {
	if p.echo != nil {
		C.speex_echo_state_destroy(p.echo)
		C.speex_preprocess_state_destroy(p.pre)
		p.echo, p.pre = nil, nil
	}
}

// follow delays the reference to meet an echo found samples behind the
// speaker. The filter covers the Tail after the reference's delay: while the
// echo found lies in its first half the filter is left to follow it; otherwise
// the reference moves and the filter, whose taps that shifts, starts again.
func (p *Processor) follow(found int) {
	cur := p.delay.delay
	if found >= cur && found <= cur+p.opts.tailSamples()/2 {
		return
	}
	p.delay.setDelay(p.margined(found))
	C.speex_echo_state_reset(p.echo)
}

// margined is a delay found less the margin the filter covers before it.
func (p *Processor) margined(found int) int {
	return max(found-p.opts.samples(delayMarginMs*time.Millisecond), 0)
}

// apply sets the preprocessor's stages.
func (p *Processor) apply(f Features) {
	// speexdsp suppresses the residual echo through its noise suppressor's
	// gains: with AEC on it runs, suppressing no noise unless asked to.
	C.ctl_int(p.pre, C.SPEEX_PREPROCESS_SET_DENOISE, C.int(boolInt(f.Denoise || f.AEC)))
	suppress := 0
	if f.Denoise {
		suppress = DefaultNoiseSuppress
	}
	C.ctl_int(p.pre, C.SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, C.int(suppress))
	C.ctl_int(p.pre, C.SPEEX_PREPROCESS_SET_AGC, C.int(boolInt(f.AGC)))
	if f.AEC && !p.applied.AEC {
		C.speex_echo_state_reset(p.echo) // the room may have changed while it was off
	}
	p.applied = f
}

func ptr(s []int16) *C.spx_int16_t { return (*C.spx_int16_t)(unsafe.Pointer(&s[0])) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Package dsp is the microphone's processing: acoustic echo cancellation, noise
// suppression and automatic gain control, one frame at a time, by speexdsp
// through cgo (the MDF echo canceller and its preprocessor). A build without cgo
// has a Processor that reports itself unavailable and leaves audio untouched.
//
// The echo canceller learns the path from the speaker to the microphone: it is
// given each frame the speaker played (Playback) and cancels its echo from the
// microphone's frame of the same tick (Capture). The sound device holds both
// directions for a while, so the echo of a frame reaches the microphone some
// frames later. The Processor finds that delay by correlating the two signals'
// envelopes (delay.go) and delays the reference to meet the echo, so the
// filter need only cover the room's reverberation (Options.Tail).
package dsp

import (
	"errors"
	"time"
)

// ErrUnavailable is returned by New in a build without speexdsp (no cgo).
var ErrUnavailable = errors.New("dsp: echo cancellation and noise suppression are not in this build")

// Defaults.
const (
	DefaultTail = 100 * time.Millisecond // echo path the filter covers after the delay: a room's reverberation
	// DefaultNoiseSuppress is the noise attenuation, in dB (negative), the
	// suppressor aims at; speexdsp's own default.
	DefaultNoiseSuppress = -15
)

// Features says which stages run.
type Features struct {
	AEC     bool // acoustic echo cancellation
	Denoise bool // noise suppression
	AGC     bool // automatic gain control
}

// Any reports whether any stage is on.
func (f Features) Any() bool { return f.AEC || f.Denoise || f.AGC }

// Options configure a Processor. Rate and Frame are required.
type Options struct {
	Rate  int // samples per second
	Frame int // samples per frame (20 ms: Rate/50)
	Features
	// Delay is how much later than the speaker's frame its echo first reaches
	// the microphone's frame of the same tick (the device's output and input
	// latency and the sound's way through the room), as far as it is known
	// before the call; the Processor then finds it from the audio itself.
	Delay time.Duration
	// Tail is the echo path the filter covers after Delay (DefaultTail).
	Tail time.Duration
}

// samples is d at the options' rate.
func (o Options) samples(d time.Duration) int {
	return int(d * time.Duration(o.Rate) / time.Second)
}

// block is the length speexdsp works on: half a frame when that is a whole
// number of samples. Shorter blocks adapt the echo filter more often, which
// makes it converge sooner.
func (o Options) block() int {
	if o.Frame%2 == 0 {
		return o.Frame / 2
	}
	return o.Frame
}

// tailSamples is Tail in samples, a whole number of frames.
func (o Options) tailSamples() int {
	tail := o.Tail
	if tail <= 0 {
		tail = DefaultTail
	}
	n := o.samples(tail)
	return max((n+o.Frame-1)/o.Frame, 1) * o.Frame
}

// validate checks what New needs.
func (o Options) validate() error {
	if o.Rate < 8000 || o.Frame <= 0 || o.Frame > o.Rate {
		return errors.New("dsp: bad rate or frame size")
	}
	return nil
}

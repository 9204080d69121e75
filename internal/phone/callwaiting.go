package phone

import "github.com/wpservice/wpservice/internal/audio"

// The call-waiting tone: a short 440 Hz beep every few seconds, mixed into the
// speaker under the call the user is in (at the output volume, well below a caller's
// voice), instead of the ringer at full volume while a second call rings.
const (
	waitHz          = 440
	waitAmplitude   = 2048 // -24 dBFS peak
	waitOnFrames    = 300 / audio.FrameMillis
	waitCycleFrames = 4000 / audio.FrameMillis
)

// waitTone makes the call-waiting tone frame by frame. It belongs to the pump
// goroutine.
type waitTone struct {
	tone    *audio.ToneSource
	scratch []int16
	pos     int  // frame within the cadence
	on      bool // the plan's waiting as of the last frame, to start each at a beep
}

func newWaitTone() *waitTone {
	return &waitTone{tone: audio.NewToneSource(waitHz, waitAmplitude), scratch: make([]int16, audio.FrameSamples)}
}

// waitFrame mixes the next frame of the call-waiting tone into the speaker's mix
// while the plan says a call waits. It does not allocate.
func (p *pump) waitFrame(pl *mixPlan) {
	w := p.wait
	if pl.waiting && !w.on {
		w.pos = 0
	}
	w.on = pl.waiting
	if !w.on {
		return
	}
	if w.pos < waitOnFrames {
		w.tone.ReadFrame(w.scratch)
		audio.Mix(p.mix, w.scratch)
	}
	w.pos = (w.pos + 1) % waitCycleFrames
}

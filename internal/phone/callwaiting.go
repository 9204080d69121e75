package phone

import "github.com/wpservice/wpservice/internal/audio"

// The call-waiting tone: the tone plan's short beep every few seconds (in the US plan
// 440 Hz for 300 ms), mixed into the speaker under the call the user is in (at the
// output volume, well below a caller's voice), instead of the ringer at full volume
// while a second call rings.
const (
	waitHz       = 440 // the US plan's
	waitOnFrames = 300 / audio.FrameMillis
)

// waitTone is the pump's state of the call-waiting tone. It belongs to the pump
// goroutine.
type waitTone struct {
	on bool // the plan's waiting as of the last frame, to start each at a beep
}

func newWaitTone() *waitTone { return &waitTone{} }

// waitTone is the generator of the tone plan's call-waiting tone, made again when
// the plan changes.
func (p *Phone) waitTone() *audio.ToneGen {
	plan := p.settings.Sound.plan()
	if p.tones.wait == nil || p.tones.waitPlan != plan.Name {
		p.tones.wait, p.tones.waitPlan = audio.NewToneGen(plan.CallWaiting), plan.Name
	}
	return p.tones.wait
}

// waitFrame mixes the next frame of the call-waiting tone into the speaker's mix
// while the plan says a call waits. It does not allocate.
func (p *pump) waitFrame(pl *mixPlan) {
	w := p.wait
	if pl.waiting && !w.on {
		pl.waitGen.Restart()
	}
	w.on = pl.waiting
	if !w.on {
		return
	}
	pl.waitGen.ReadFrame(p.sounds.buf)
	audio.Mix(p.mix, p.sounds.buf)
}

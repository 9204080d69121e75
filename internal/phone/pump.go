package phone

import (
	"log/slog"
	"sync/atomic"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// pump is the media clock. Every 20 ms it reads one frame from the microphone, applies
// the input volume and sends it on every call (silence on muted ones; a conference
// member also gets what the other members said); it mixes one
// received frame from every call, applies the output volume, adds the ring tone while
// a call rings, and plays the result on the speaker. It meters both directions and
// reports their levels every levelFrames frames, also when no call has media: then it
// still reads the microphone (a user tests it before calling) but plays nothing
// unless the ringer sounds.
//
// The pump goroutine is the only owner of the frame state below. What the actor
// decides (the calls, the ringer, the volumes) reaches it as a whole new mixPlan, read
// once per frame: a frame takes no lock.
type pump struct {
	io      AudioIO
	ringOut RingerOutput // nil: the ring tone is mixed into the speaker
	log     *slog.Logger
	emit    func(name string, data any)
	plan    atomic.Pointer[mixPlan] // replaced by the actor, never changed in place

	// frame state, owned by the pump goroutine
	tx      []int16
	mix     []int16
	zero    []int16
	ringBuf []int16
	ring    *ringTone
	wait    *waitTone
	ringing bool // the plan's ring as of the last frame, to start each ring at the top of the cadence
	meters  levelMeters
	conf    confMixer  // the frames received, for the conference's mix (conferencemix.go)
	dsp     micDSP     // echo cancellation, noise suppression, gain control (micdsp.go)
	sounds  pumpSounds // tones and files (tones.go)
}

// newPump returns a pump on io that reports levels through emit. Its plan has no call,
// no ring and unity volumes.
func newPump(io AudioIO, log *slog.Logger, emit func(name string, data any)) *pump {
	p := &pump{
		io: io, log: log, emit: emit,
		tx:  make([]int16, audio.FrameSamples),
		mix: make([]int16, audio.FrameSamples), zero: make([]int16, audio.FrameSamples),
		ringBuf: make([]int16, audio.FrameSamples), ring: newRingTone(), wait: newWaitTone(),
		sounds: pumpSounds{buf: make([]int16, audio.FrameSamples)},
	}
	p.plan.Store(&mixPlan{vol: unityVolumes})
	if r, ok := io.(RingerOutput); ok {
		p.ringOut = r
	}
	return p
}

// setPlan hands the pump a new plan, used from the next frame on. The pump keeps pl:
// the caller must not change it afterwards.
func (p *pump) setPlan(pl *mixPlan) { p.plan.Store(pl) }

// run steps the media clock on every tick of t until t is stopped. On the real clock
// (paced), a late tick also makes up the frames whose time has passed (frameClock), so
// a busy machine neither loses audio nor lets the RTP clock fall behind; a test's tick
// channel steps exactly one frame per tick.
func (p *pump) run(t frameTimer, paced bool) {
	var clock frameClock
	for {
		now, ok := t.wait()
		if !ok {
			return
		}
		n := 1
		if paced {
			n = clock.due(now)
		}
		for range n {
			p.step()
		}
	}
}

// step processes exactly one frame and reports the levels when a window is complete.
func (p *pump) step() {
	if lv, ok := p.frame(); ok {
		p.emit(api.EvAudioLevel, lv)
	}
}

// frame processes one frame. It returns the levels of the window it completes, if any.
// It does not allocate (except when a ring starts).
func (p *pump) frame() (api.Levels, bool) {
	pl := p.plan.Load()
	if err := p.io.Source().ReadFrame(p.tx); err != nil {
		clear(p.tx)
	}
	p.processMic(pl)
	audio.Gain(p.tx, gain(pl.vol.input))
	p.meters.in.Write(p.tx)
	p.readPlay(pl) // play.go

	play := len(pl.legs) > 0
	if play {
		p.mixLegs(pl)
		p.waitFrame(pl)
		audio.Gain(p.mix, gain(pl.vol.output))
	}
	play = p.soundFrame(pl, play) // tones.go
	if p.ringFrame(pl) {
		if ringer := p.ringer(); ringer != nil {
			if err := ringer.WriteFrame(p.ringBuf); err != nil {
				p.log.Debug("ringer", "err", err)
			}
		} else {
			if !play {
				clear(p.mix)
			}
			audio.Mix(p.mix, p.ringBuf)
			play = true
		}
	}
	if !play {
		p.speakerPlayed(nil)
		p.meters.out.Write(p.zero)
		return p.meters.endFrame()
	}
	if err := p.io.Sink().WriteFrame(p.mix); err != nil {
		p.log.Debug("audio sink", "err", err)
	}
	p.speakerPlayed(p.mix)
	p.meters.out.Write(p.mix)
	return p.meters.endFrame()
}

// ringFrame puts the next frame of the ring tone, at the ringer volume, in ringBuf and
// reports true while the plan rings.
func (p *pump) ringFrame(pl *mixPlan) bool {
	on := pl.ring
	if on && !p.ringing {
		p.ring.restart()
		if pl.ringTo != nil {
			pl.ringTo.Rewind()
		}
	}
	p.ringing = on
	if !on {
		return false
	}
	if pl.ringTo != nil {
		pl.ringTo.ReadFrame(p.ringBuf) // the ringtone setting's file (ringtone.go)
	} else {
		p.ring.read(p.ringBuf)
	}
	audio.Gain(p.ringBuf, gain(pl.vol.ringer))
	return true
}

// ringer is the sink the ring tone plays on, or nil to mix it into the speaker.
func (p *pump) ringer() audio.Sink {
	if p.ringOut == nil {
		return nil
	}
	return p.ringOut.Ringer()
}

package phone

import (
	"context"
	"sync"
	"time"
)

// The engine holds the sound device and runs the media clock only while something
// needs them: a call with media (early media too) needs the microphone and the
// speaker, a ringing call the speaker, a client watching levels the microphone. An
// idle engine holds no device and runs no 20 ms clock.
//
// A need that grows is met at once. One that shrinks is met after audioHoldOff, so two
// calls in a row, or a call answered from the ringer, do not close and reopen the
// device in between.

// audioHoldOff is how long the device and the clock stay after the last need ends.
const audioHoldOff = time.Second

// audioNeed is what the engine needs of the local audio.
type audioNeed struct {
	capture, playback bool // the microphone, the speaker
}

func (n audioNeed) none() bool { return !n.capture && !n.playback }

// union is what n and o need together.
func (n audioNeed) union(o audioNeed) audioNeed {
	return audioNeed{capture: n.capture || o.capture, playback: n.playback || o.playback}
}

// audioUse is the actor's record of the local audio in use.
type audioUse struct {
	inUse     audioNeed
	watchers  int    // clients watching levels (WatchLevels)
	release   func() // cancels the pending hold-off, if any
	stopClock func() // stops the media clock and waits for it; nil while it does not run
}

// need is what the engine needs now: the current mix plan and the level watchers.
func (p *Phone) need() audioNeed {
	pl := p.pump.plan.Load()
	media := len(pl.legs) > 0
	return audioNeed{capture: media || p.audio.watchers > 0, playback: media || pl.ring || pl.sounds()}
}

// useAudio meets the engine's need: what it needs more at once, what it needs less
// after audioHoldOff. The actor calls it whenever the need may have changed.
func (p *Phone) useAudio() {
	u := &p.audio
	if u.release != nil {
		u.release()
		u.release = nil
	}
	need := p.need()
	p.setAudio(u.inUse.union(need))
	if need != u.inUse {
		u.release = p.after(audioHoldOff, func() {
			u.release = nil
			p.setAudio(p.need())
		})
	}
}

// setAudio opens what n needs and closes the rest, starting the media clock once
// the device is open and stopping it before the device closes.
func (p *Phone) setAudio(n audioNeed) {
	u := &p.audio
	if n == u.inUse {
		return
	}
	if n.none() {
		p.stopClock()
	}
	if err := p.cfg.Audio.Use(n.capture, n.playback); err != nil {
		p.log.Warn("audio device unavailable; using silence", "capture", n.capture, "playback", n.playback, "err", err)
	}
	u.inUse = n
	if !n.none() {
		p.startClock()
	}
}

// startClock starts the media clock, unless it runs, with a fresh frame count: time
// spent stopped is not made up. The engine stopping stops it too.
func (p *Phone) startClock() {
	if p.audio.stopClock != nil {
		return
	}
	t, paced := p.frameTimer()
	unhook := context.AfterFunc(p.work, t.stop)
	done := make(chan struct{})
	p.workers.Go(func() {
		defer close(done)
		p.pump.run(t, paced)
	})
	p.audio.stopClock = func() { unhook(); t.stop(); <-done }
}

// stopClock stops the media clock, if it runs, and waits for its last frame.
func (p *Phone) stopClock() {
	if stop := p.audio.stopClock; stop != nil {
		p.audio.stopClock = nil
		stop()
	}
}

// frameTimer returns what paces the media clock: the real 20 ms clock (paced: a late
// tick makes up the frames it missed), or the test's Config.FrameTick, one frame a
// tick.
func (p *Phone) frameTimer() (t frameTimer, paced bool) {
	if p.cfg.FrameTick != nil {
		return newChanTimer(p.cfg.FrameTick, nil), false
	}
	return newRealFrameTimer(), true
}

// WatchLevels keeps the microphone open and the media clock running, so that
// audio.level reports the microphone with no call (a settings page's level meter),
// until stop is called. Once WatchLevels returns, the microphone is open. stop may be
// called more than once, and after the engine has stopped.
func (p *Phone) WatchLevels() (stop func()) {
	watch := func(d int) {
		_, _ = p.call(context.Background(), func() (any, error) {
			p.audio.watchers += d
			p.useAudio()
			return nil, nil
		})
	}
	watch(+1)
	return sync.OnceFunc(func() { watch(-1) })
}

package phone

import (
	"sync/atomic"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// audio.play plays a WAV file of the sounds folder (soundfiles.go) on the speaker or,
// with toPeer, into what a call sends, mixed with the microphone: a prompt, music, a
// recorded greeting. One file plays at a time. It ends at its end (unless it loops),
// on audio.stop, when another file starts, or when the call it plays into ends;
// audio.play events say when it started and ended.

// player is one file playing. The actor makes it and hands it to the pump in each
// plan while it plays; the pump reads one frame of it per frame into pcm (readPlay)
// and, at the end of a file that does not loop, calls ended once.
type player struct {
	src    *audio.WAVSource
	file   string
	toPeer bool
	line   int    // with toPeer: the call on this line only; 0 = the calls the user is in
	stream Stream // the stream of line's call, or nil
	pcm    []int16
	mixed  []int16 // the microphone with the file, for the call
	done   atomic.Bool
	ended  func() // posts the end to the actor
}

// play runs audio.play.
func (p *Phone) play(a *api.PlayArgs) (api.Empty, error) {
	var target *call
	if a.Line != 0 {
		if !a.ToPeer {
			return api.Empty{}, api.BadArg("line", "only with toPeer")
		}
		c, err := p.resolve(api.CallRef{Line: a.Line})
		if err != nil {
			return api.Empty{}, err
		}
		if !c.mediaOn {
			return api.Empty{}, ErrCallState
		}
		target = c
	}
	src, err := openSound(p.cfg.SoundsDir, "file", a.File, a.Loop)
	if err != nil {
		return api.Empty{}, err
	}
	pl := &player{src: src, file: a.File, toPeer: a.ToPeer, line: a.Line,
		pcm: make([]int16, audio.FrameSamples), mixed: make([]int16, audio.FrameSamples)}
	if target != nil {
		pl.stream = target.stream
	}
	pl.ended = func() { p.post(func() { p.stopPlay(pl) }) }
	p.stopPlay(p.playing)
	p.playing = pl
	p.updatePump()
	p.bus.Emit(api.EvAudioPlay, pl.event(api.PlayStarted))
	return api.Empty{}, nil
}

// stopPlay ends pl if it is the file playing, and says so.
func (p *Phone) stopPlay(pl *player) {
	if pl == nil || p.playing != pl {
		return
	}
	p.playing = nil
	p.updatePump()
	p.bus.Emit(api.EvAudioPlay, pl.event(api.PlayEnded))
}

// stopPlayingInto ends the file played into a call that is gone.
func (p *Phone) stopPlayingInto() {
	pl := p.playing
	if pl == nil || pl.stream == nil {
		return
	}
	live := false
	p.lines.each(func(c *call) { live = live || (c.stream == pl.stream && c.mediaOn) })
	if !live {
		p.stopPlay(pl)
	}
}

func (pl *player) event(state string) api.PlayEvent {
	return api.PlayEvent{File: pl.file, State: state, ToPeer: pl.toPeer, Line: pl.line}
}

// readPlay reads the next frame of the plan's file, once per frame, and reports the
// end of a file that does not loop.
func (p *pump) readPlay(pl *mixPlan) {
	f := pl.play
	if f == nil {
		return
	}
	f.src.ReadFrame(f.pcm)
	if f.src.Done() && !f.done.Swap(true) {
		f.ended()
	}
}

// withPlay is what leg l is sent in place of mic: mic with the file mixed in when
// the plan plays one into l's call.
func (p *pump) withPlay(pl *mixPlan, l *leg, mic []int16) []int16 {
	f := pl.play
	if f == nil || !f.toPeer || (f.stream != nil && f.stream != l.stream) || (f.stream == nil && l.detached) {
		return mic
	}
	copy(f.mixed, mic)
	audio.Mix(f.mixed, f.pcm)
	return f.mixed
}

package phone

import (
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// Call-progress tones, played on the speaker from the tone plan the settings choose
// (audio.TonePlans): ringback while a call we dialled rings and the network sends no
// early media, and for endToneTime after a call we dialled failed, busy (486, 600)
// or congestion (5xx, or no answer from the network). The call-waiting beep is
// callwaiting.go's, the ring ringer.go's.

// endToneTime is how long the busy or congestion tone plays before silence.
const endToneTime = 3 * time.Second

// toneKind is which progress tone plays.
type toneKind uint8

const (
	toneNone toneKind = iota
	toneRingback
	toneBusy
	toneCongestion
)

// toneState is the actor's record of the progress tone. gen is handed to the pump
// in each plan while the same tone plays, so that it goes on where it was; a new
// tone gets a new generator, from the top of its cadence.
type toneState struct {
	kind    toneKind
	gen     *audio.ToneGen
	endTone toneKind // busy or congestion after a failed call of ours, until endTimer fires
	endStop func()   // cancels the end tone's timer

	wait     *audio.ToneGen // the call-waiting tone of waitPlan (callwaiting.go)
	waitPlan string
}

// progressTone is the generator of the tone the speaker plays now, or nil.
func (p *Phone) progressTone() *audio.ToneGen {
	kind := p.tones.endTone
	p.lines.each(func(c *call) {
		if c.outgoing && c.state == stRinging && p.connected(c) {
			kind = toneRingback // a new call of ours rings: the last one's end tone is over
		}
	})
	if kind != p.tones.kind {
		p.tones.kind, p.tones.gen = kind, nil
		if t, ok := p.toneOf(kind); ok {
			p.tones.gen = audio.NewToneGen(t)
		}
	}
	return p.tones.gen
}

// toneOf is the tone plan's tone of kind.
func (p *Phone) toneOf(kind toneKind) (audio.Tone, bool) {
	plan := p.settings.Sound.plan()
	switch kind {
	case toneRingback:
		return plan.Ringback, true
	case toneBusy:
		return plan.Busy, true
	case toneCongestion:
		return plan.Congestion, true
	}
	return audio.Tone{}, false
}

// endTone starts the busy or congestion tone when c, a call we dialled that the
// user was in, ended refused or failed, unless the user is in another call.
func (p *Phone) endTone(c *call, cause string) {
	kind := failureTone(c, cause)
	if kind == toneNone || !p.connected(c) && p.selected != 0 {
		return
	}
	if p.tones.endStop != nil {
		p.tones.endStop()
	}
	p.tones.endTone = kind
	p.tones.endStop = p.after(endToneTime, func() {
		p.tones.endTone, p.tones.endStop = toneNone, nil
		p.updatePump()
	})
}

// failureTone is the tone an outgoing call's end calls for: busy after 486 Busy
// Here or 600 Busy Everywhere, congestion after a 5xx or a failure to reach the
// peer, none when it was answered or hung up.
func failureTone(c *call, cause string) toneKind {
	if !c.outgoing || !c.answered.IsZero() {
		return toneNone
	}
	switch {
	case cause == api.CauseRejected && (c.sipCode == 486 || c.sipCode == 600):
		return toneBusy
	case cause == api.CauseRejected && c.sipCode >= 500 && c.sipCode < 600, cause == api.CauseFailed:
		return toneCongestion
	}
	return toneNone
}

// dtmfFeedback is the local echo of digits the user sends: each digit's pair of
// tones for dtmfToneTime, dtmfGapTime apart. The actor makes it; the pump plays it
// frame by frame, counting down left, which only the pump touches after.
type dtmfFeedback struct {
	gen  *audio.ToneGen
	left int // frames still to play
}

const (
	dtmfToneMillis = 100
	dtmfGapMillis  = 50
)

// newDTMFFeedback returns the feedback of digits, or nil when none is a key.
func newDTMFFeedback(digits string) *dtmfFeedback {
	var tone audio.Tone
	total := 0
	for i := range len(digits) {
		t, ok := audio.DTMFTone(digits[i], dtmfToneMillis)
		if !ok {
			continue
		}
		tone.Amplitude = t.Amplitude
		tone.Steps = append(tone.Steps, t.Steps[0], audio.Cadence{Millis: dtmfGapMillis})
		total += dtmfToneMillis + dtmfGapMillis
	}
	if len(tone.Steps) == 0 {
		return nil
	}
	tone.Steps = append(tone.Steps, audio.Cadence{Millis: audio.FrameMillis}) // the last frame ends in silence, not in the first digit again
	return &dtmfFeedback{gen: audio.NewToneGen(tone), left: (total + audio.FrameMillis - 1) / audio.FrameMillis}
}

// feedDTMF plays digits the user sent on the speaker.
func (p *Phone) feedDTMF(digits string) {
	f := newDTMFFeedback(digits)
	if f == nil {
		return
	}
	lasts := time.Duration(f.left+1) * audio.FrameMillis * time.Millisecond // read before the pump owns f
	p.dtmf = f
	p.updatePump()
	p.after(lasts, func() {
		if p.dtmf == f { // the speaker is no longer needed for it
			p.dtmf = nil
			p.updatePump()
		}
	})
}

// soundFrame mixes into the speaker's frame the progress tone, the DTMF feedback
// and a file played locally, at the output volume, and reports whether the speaker
// plays (play: it already does). It does not allocate.
func (p *pump) soundFrame(pl *mixPlan, play bool) bool {
	buf := p.sounds.buf
	add := func() {
		audio.Gain(buf, gain(pl.vol.output))
		if !play {
			clear(p.mix)
			play = true
		}
		audio.Mix(p.mix, buf)
	}
	if pl.tone != nil {
		pl.tone.ReadFrame(buf)
		add()
	}
	if f := pl.dtmf; f != nil && f.left > 0 {
		f.left--
		f.gen.ReadFrame(buf)
		add()
	}
	if pl.play != nil && !pl.play.toPeer {
		copy(buf, pl.play.pcm)
		add()
	}
	return play
}

// pumpSounds is the pump's frame state for soundFrame.
type pumpSounds struct {
	buf []int16
}

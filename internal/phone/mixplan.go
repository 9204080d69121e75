package phone

import (
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/dsp"
)

// mixPlan is what the media clock does on every frame: the calls it sends to and
// mixes, whether the ringer or the call-waiting tone sounds, and the volumes. The actor makes a new plan from
// its own state whenever one of those changes and hands it to the pump whole; neither
// side changes a plan once handed over.
type mixPlan struct {
	legs    []leg
	ring    bool // the ringer sounds: a call rings and the user is in no call
	waiting bool // the call-waiting tone sounds on the speaker: a call rings during a call
	vol     volumes
	dsp     dsp.Features     // the microphone's processing (micdsp.go)
	tone    *audio.ToneGen   // the call-progress tone on the speaker, or nil (tones.go)
	dtmf    *dtmfFeedback    // the digits the user sent, echoed on the speaker (tones.go)
	play    *player          // the file audio.play plays, or nil (play.go)
	ringTo  *audio.WAVSource // the ringtone file, or nil for the built-in ring (ringtone.go)
	waitGen *audio.ToneGen   // the tone plan's call-waiting tone (callwaiting.go)
}

// leg is one call with media, as the media clock sees it.
type leg struct {
	stream     Stream
	muted      bool       // send silence
	held       bool       // we hold the call: send silence, play nothing received
	remoteHeld bool       // the peer holds us: send nothing (we are recvonly or inactive)
	detached   bool       // not connected to the user (selection.go): send silence, play nothing received
	conference bool       // a member of the local conference: also sent what the other members said
	rec        *recording // its recording, or nil (record.go)
}

// updatePump hands the media clock a plan made from the actor's state: the calls with
// media, their mute and hold and whether they are connected to the user, the ringer
// or, during a call, the call-waiting tone (while any call rings), and the volumes. The actor calls it after each change of those, before it reports the
// change, so that a client told of a change hears it from the next frame on.
func (p *Phone) updatePump() {
	p.syncRecordings()  // record.go
	p.stopPlayingInto() // play.go
	pl := &mixPlan{vol: p.volumes, dsp: p.processing(), tone: p.progressTone(), dtmf: p.dtmf, play: p.playing, ringTo: p.ringtone, waitGen: p.waitTone()}
	rings, talking := false, false
	p.lines.each(func(c *call) {
		rings = rings || c.rings()
		talking = talking || (c.state == stActive && p.connected(c))
		if c.mediaOn {
			pl.legs = append(pl.legs, leg{stream: c.stream, muted: c.muted, held: c.hold.held(), remoteHeld: c.remoteHeld, detached: !p.connected(c), conference: c.conference, rec: p.recs.of(c)})
		}
	})
	pl.ring, pl.waiting = rings && !talking, rings && talking
	p.pump.setPlan(pl)
	p.useAudio()
}

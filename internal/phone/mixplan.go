package phone

import "github.com/wpservice/wpservice/internal/dsp"

// mixPlan is what the media clock does on every frame: the calls it sends to and
// mixes, whether the ringer or the call-waiting tone sounds, and the volumes. The actor makes a new plan from
// its own state whenever one of those changes and hands it to the pump whole; neither
// side changes a plan once handed over.
type mixPlan struct {
	legs    []leg
	ring    bool // the ringer sounds: a call rings and the user is in no call
	waiting bool // the call-waiting tone sounds on the speaker: a call rings during a call
	vol     volumes
	dsp     dsp.Features // the microphone's processing (micdsp.go)
}

// leg is one call with media, as the media clock sees it.
type leg struct {
	stream     Stream
	muted      bool // send silence
	held       bool // we hold the call: send silence, play nothing received
	remoteHeld bool // the peer holds us: send nothing (we are recvonly or inactive)
	detached   bool // not connected to the user (selection.go): send silence, play nothing received
	conference bool // a member of the local conference: also sent what the other members said
}

// updatePump hands the media clock a plan made from the actor's state: the calls with
// media, their mute and hold and whether they are connected to the user, the ringer
// or, during a call, the call-waiting tone (while any call rings), and the volumes. The actor calls it after each change of those, before it reports the
// change, so that a client told of a change hears it from the next frame on.
func (p *Phone) updatePump() {
	pl := &mixPlan{vol: p.volumes, dsp: p.processing()}
	rings, talking := false, false
	p.lines.each(func(c *call) {
		rings = rings || c.rings()
		talking = talking || (c.state == stActive && p.connected(c))
		if c.mediaOn {
			pl.legs = append(pl.legs, leg{stream: c.stream, muted: c.muted, held: c.hold.held(), remoteHeld: c.remoteHeld, detached: !p.connected(c), conference: c.conference})
		}
	})
	pl.ring, pl.waiting = rings && !talking, rings && talking
	p.pump.setPlan(pl)
	p.useAudio()
}

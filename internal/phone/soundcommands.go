package phone

import "github.com/wpservice/wpservice/internal/api"

// soundHandlers are the handlers of the sound and recording commands.
func (p *Phone) soundHandlers() []api.Handler {
	return []api.Handler{
		onActor(p, api.CmdAudioPlay, p.play),
		onActor(p, api.CmdAudioStop, func(*api.NoArgs) (api.Empty, error) { p.stopPlay(p.playing); return api.Empty{}, nil }),
		onActor(p, api.CmdSoundsList, func(*api.NoArgs) (api.SoundList, error) { return listSounds(p.cfg.SoundsDir) }),
		onActor(p, api.CmdCallRecord, p.record),
	}
}

// sounds reports whether the plan plays anything on the speaker besides calls and
// the ringer: a tone, digits or a file (audiouse.go).
func (pl *mixPlan) sounds() bool {
	return pl.tone != nil || (pl.dtmf != nil) || (pl.play != nil && !pl.play.toPeer)
}

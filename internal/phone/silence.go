package phone

import (
	"slices"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/media"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Silence suppression (the silenceSuppression setting, Mizu's silencesupress):
// with it on, our offers name comfort noise (CN/8000, RFC 3389) beside the
// codecs on the 8000 Hz clock, our answers name it where the offer did, and a
// call whose SDPs both name it sends CN in its silences and plays the peer's
// as noise (media/silence.go). Auto is off: on a desktop's network the
// bandwidth saved is not worth the noise that stands in for the room. A peer
// that did not name CN never receives it (RFC 3389 section 4).

// suppressSilence reports whether the setting is on.
func (p *Phone) suppressSilence() bool {
	return p.settings.SilenceSuppression == api.ProcessingOn
}

// withCN returns our offer d naming comfort noise when the setting is on and
// a codec of d runs on the 8000 Hz clock CN/8000 goes with.
func (p *Phone) withCN(d sipstack.MediaDesc) sipstack.MediaDesc {
	if p.suppressSilence() && slices.ContainsFunc(d.Codecs, onCNClock) {
		d.CNPT = media.ComfortNoisePT
	}
	return d
}

// comfortNoise is the peer's CN payload type in d when the call may use it: the
// peer naming CN/8000 and the codec chosen on that clock; else 0. Whether the
// call does is ours to say, in our first SDP (ourComfortNoise), not the setting's
// value now: a setting changed mid-call changes no SDP, and a peer's CN that our
// SDP took must go on being played (and counted as the peer's audio).
func comfortNoise(d sipstack.MediaDesc, chosen sipstack.Codec) uint8 {
	if !onCNClock(chosen) {
		return 0
	}
	return d.CNPT
}

func onCNClock(c sipstack.Codec) bool { return c.Rate == 8000 }

// ourComfortNoise is the peer's CN payload type cn as c may use it: only
// where our first SDP named CN too, as the stack's answers to re-INVITEs keep
// it; a peer that adds CN later, or the setting turned on since, does not
// make a call that began without it send any.
func ourComfortNoise(c *call, cn uint8) uint8 {
	if !c.ourCN {
		return 0
	}
	return cn
}

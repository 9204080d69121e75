package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// The local ring tone: 440 Hz and 480 Hz together, two seconds on and four off (the
// North American ring cadence that most softphones play). Each tone peaks at a quarter
// of full scale, so the pair is -12 dBFS RMS at the unity ringer volume and stays
// under full scale up to about twice that.
const (
	ringLowHz       = 440
	ringHighHz      = 480
	ringAmplitude   = 8192
	ringOnFrames    = 2000 / audio.FrameMillis
	ringCycleFrames = 6000 / audio.FrameMillis
)

// ringTone makes the ring tone frame by frame. It belongs to the pump goroutine.
type ringTone struct {
	low, high *audio.ToneSource
	scratch   []int16
	pos       int // frame within the cadence
}

func newRingTone() *ringTone {
	r := &ringTone{scratch: make([]int16, audio.FrameSamples)}
	r.restart()
	return r
}

// restart begins the cadence again, at the start of a tone burst.
func (r *ringTone) restart() {
	r.low = audio.NewToneSource(ringLowHz, ringAmplitude)
	r.high = audio.NewToneSource(ringHighHz, ringAmplitude)
	r.pos = 0
}

// read fills pcm with the next frame: the two tones, or silence between bursts.
func (r *ringTone) read(pcm []int16) {
	if r.pos < ringOnFrames {
		r.low.ReadFrame(pcm)
		r.high.ReadFrame(r.scratch[:len(pcm)])
		audio.Mix(pcm, r.scratch[:len(pcm)])
	} else {
		clear(pcm)
	}
	r.pos = (r.pos + 1) % ringCycleFrames
}

// rings reports whether c should make the local ringer sound: an incoming call that
// rings, waiting for the user, and that the user did not ignore.
func (c *call) rings() bool {
	return !c.outgoing && c.state == stRinging && !c.ignored
}

// ignore runs call.ignore: it silences the ringer for an incoming call that is not
// answered yet and says so in call.state. Nothing is sent to the caller, whose phone
// keeps ringing until they give up or the user answers or rejects. Ignoring an
// ignored call again changes nothing.
func (p *Phone) ignore(ref *api.CallRef) (api.Empty, error) {
	c, err := p.resolve(*ref)
	if err != nil {
		return api.Empty{}, err
	}
	if c.outgoing || (c.state != stIncoming && c.state != stRinging) {
		return api.Empty{}, fmt.Errorf("%w: cannot ignore the %s call on line %d: it is %s; only an unanswered incoming call can be ignored", ErrCallState, directionName(c), c.line, c.state)
	}
	if !c.ignored {
		c.ignored = true
		p.updatePump()
		p.bus.Emit(api.EvCallState, c.public())
	}
	return struct{}{}, nil
}

func directionName(c *call) string {
	if c.outgoing {
		return api.DirOutgoing
	}
	return api.DirIncoming
}

package phone

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// leg is one call attached to the media clock.
type leg struct {
	stream     Stream
	muted      atomic.Bool
	held       atomic.Bool // we hold the call: send silence, play nothing received
	remoteHeld atomic.Bool // the peer holds us: send nothing (we are recvonly or inactive)
}

// pump is the media clock. Every 20 ms it reads one frame from the microphone, applies
// the input volume and sends it on every call (silence on muted ones); it mixes one
// received frame from every call, applies the output volume, adds the ring tone while
// a call rings, and plays the result on the speaker. It meters both directions and
// reports their levels every levelFrames frames, also when no call has media: then it
// still reads the microphone (a user tests it before calling) but plays nothing
// unless the ringer sounds.
type pump struct {
	io      AudioIO
	ringOut RingerOutput // nil: the ring tone is mixed into the speaker
	log     *slog.Logger
	emit    func(name string, data any)

	// set by the actor, read on every frame
	vol    *volumes
	ringOn atomic.Bool

	mu      sync.Mutex // guards legs and the frame state below; held for a whole step
	legs    map[int]*leg
	tx      []int16
	rx      []int16
	mix     []int16
	zero    []int16
	ringBuf []int16
	ring    *ringTone
	ringing bool // ringOn as of the last frame, to start each ring at the top of the cadence
	meters  levelMeters
}

// newPump returns a pump on io that reports levels through emit.
func newPump(io AudioIO, log *slog.Logger, emit func(name string, data any)) *pump {
	p := &pump{
		io: io, log: log, emit: emit, vol: newVolumes(), legs: map[int]*leg{},
		tx: make([]int16, audio.FrameSamples), rx: make([]int16, audio.FrameSamples),
		mix: make([]int16, audio.FrameSamples), zero: make([]int16, audio.FrameSamples),
		ringBuf: make([]int16, audio.FrameSamples), ring: newRingTone(),
	}
	if r, ok := io.(RingerOutput); ok {
		p.ringOut = r
	}
	return p
}

func (p *pump) add(line int, l *leg) {
	p.mu.Lock()
	p.legs[line] = l
	p.mu.Unlock()
}

func (p *pump) remove(line int) {
	p.mu.Lock()
	delete(p.legs, line)
	p.mu.Unlock()
}

func (p *pump) run(ctx context.Context, tick <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
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
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.io.Source().ReadFrame(p.tx); err != nil {
		clear(p.tx)
	}
	audio.Gain(p.tx, gain(&p.vol.input))
	p.meters.in.Write(p.tx)

	play := len(p.legs) > 0
	if play {
		clear(p.mix)
		for _, l := range p.legs {
			out := p.tx
			if l.muted.Load() || l.held.Load() {
				out = p.zero
			}
			if !l.remoteHeld.Load() {
				l.stream.WriteFrame(out)
			}
			if l.stream.ReadFrame(p.rx) && !l.held.Load() {
				audio.Mix(p.mix, p.rx)
			}
		}
		audio.Gain(p.mix, gain(&p.vol.output))
	}
	if p.ringFrame() {
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
		p.meters.out.Write(p.zero)
		return p.meters.endFrame()
	}
	if err := p.io.Sink().WriteFrame(p.mix); err != nil {
		p.log.Debug("audio sink", "err", err)
	}
	p.meters.out.Write(p.mix)
	return p.meters.endFrame()
}

// ringFrame puts the next frame of the ring tone, at the ringer volume, in ringBuf and
// reports true while the ringer is on.
func (p *pump) ringFrame() bool {
	on := p.ringOn.Load()
	if on && !p.ringing {
		p.ring.restart()
	}
	p.ringing = on
	if !on {
		return false
	}
	p.ring.read(p.ringBuf)
	audio.Gain(p.ringBuf, gain(&p.vol.ringer))
	return true
}

// ringer is the sink the ring tone plays on, or nil to mix it into the speaker.
func (p *pump) ringer() audio.Sink {
	if p.ringOut == nil {
		return nil
	}
	return p.ringOut.Ringer()
}

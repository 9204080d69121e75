package phone

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// leg is one call attached to the media clock.
type leg struct {
	stream Stream
	muted  atomic.Bool
}

// pump is the media clock: every 20 ms it reads one frame from the audio source and
// sends it on every call (silence on muted ones), and mixes one received frame from
// every call into the audio sink. It does nothing while no call has media.
type pump struct {
	io  AudioIO
	log *slog.Logger

	mu   sync.Mutex // guards legs; held for a whole step so a removed leg is never used after
	legs map[int]*leg
	tx   []int16
	rx   []int16
	mix  []int16
	zero []int16
}

func newPump(io AudioIO, log *slog.Logger) *pump {
	return &pump{
		io: io, log: log, legs: map[int]*leg{},
		tx: make([]int16, audio.FrameSamples), rx: make([]int16, audio.FrameSamples),
		mix: make([]int16, audio.FrameSamples), zero: make([]int16, audio.FrameSamples),
	}
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

// step processes exactly one frame.
func (p *pump) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.legs) == 0 {
		return
	}
	if err := p.io.Source().ReadFrame(p.tx); err != nil {
		clear(p.tx)
	}
	clear(p.mix)
	for _, l := range p.legs {
		out := p.tx
		if l.muted.Load() {
			out = p.zero
		}
		l.stream.WriteFrame(out)
		if l.stream.ReadFrame(p.rx) {
			audio.Mix(p.mix, p.rx)
		}
	}
	if err := p.io.Sink().WriteFrame(p.mix); err != nil {
		p.log.Debug("audio sink", "err", err)
	}
}

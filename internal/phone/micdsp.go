package phone

import (
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/dsp"
)

// micDSP is the media clock's processing of the microphone (internal/dsp):
// echo cancellation against what the speaker played, noise suppression and
// gain control, as the plan's stages say. It is made when a stage is first
// on (the one allocation), with the frame's length, and kept.
type micDSP struct {
	proc   *dsp.Processor
	failed bool    // this build has no processing: not asked again
	played []int16 // the frame the speaker played last: the echo's reference
}

// processMic processes the microphone's frame p.tx in place. Its echo's
// reference is the speaker's frame of the tick before: a frame played now
// reaches the microphone no sooner than the next, through the device's
// buffers, and the processor finds how much later (dsp.Processor.Delay).
//
// It runs only while a call has media: what the microphone sends is processed,
// not what a level meter alone reads (the user checking the microphone sees
// it as it is).
func (p *pump) processMic(pl *mixPlan) {
	m := &p.dsp
	if len(pl.legs) == 0 {
		return
	}
	if m.proc == nil {
		if !pl.dsp.Any() || m.failed {
			return
		}
		proc, err := dsp.New(dsp.Options{Rate: audio.SampleRate, Frame: len(p.tx), Features: pl.dsp})
		if err != nil {
			m.failed = true
			p.log.Info("microphone processing unavailable", "err", err)
			return
		}
		m.proc, m.played = proc, make([]int16, len(p.tx))
	}
	if m.proc.Features() != pl.dsp {
		m.proc.SetFeatures(pl.dsp)
	}
	m.proc.Playback(m.played)
	m.proc.Capture(p.tx)
}

// speakerPlayed notes the frame the speaker played this tick; nil is silence.
func (p *pump) speakerPlayed(frame []int16) {
	if m := &p.dsp; m.played != nil {
		if frame == nil {
			clear(m.played)
		} else {
			copy(m.played, frame)
		}
	}
}

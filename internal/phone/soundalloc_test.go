package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// A frame with a progress tone, DTMF feedback, a file played into the call and a
// recording allocates nothing either.
func TestSoundsFrameDoesNotAllocate(t *testing.T) {
	p := benchConferencePump(1)
	pl := *p.plan.Load()
	pl.legs = append([]leg(nil), pl.legs...)
	pl.tone = audio.NewToneGen(audio.TonePlans["uk"].Ringback)
	pl.dtmf = newDTMFFeedback("123")
	src := audio.NewWAVSource(audio.WAVInfo{SampleRate: audio.SampleRate, Channels: 1}, make([]int16, audio.SampleRate), true)
	pl.play = &player{src: src, toPeer: true, pcm: make([]int16, audio.FrameSamples), mixed: make([]int16, audio.FrameSamples), ended: func() {}}
	pl.legs[0].rec = &recording{ring: audio.NewRing(1 << 20), frame: make([]int16, 2*audio.FrameSamples)}
	p.setPlan(&pl)
	p.frame()
	if n := testing.AllocsPerRun(100, func() { p.frame() }); n != 0 {
		t.Errorf("a frame with tones, a file and a recording allocates %v times", n)
	}
}

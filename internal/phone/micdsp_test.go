package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/dsp"
)

// echoMic is a microphone in a room with the rig's speaker: it hears what the
// speaker played three frames ago, at half its level.
type echoMic struct{ a *fakeAudio }

func (m echoMic) ReadFrame(pcm []int16) error {
	m.a.mu.Lock()
	defer m.a.mu.Unlock()
	clear(pcm)
	if n := len(m.a.sunk); n >= 3 {
		for i, v := range m.a.sunk[n-3] {
			pcm[i] = v / 2
		}
	}
	return nil
}

// TestPumpCancelsEcho: with echo cancellation on, what the media clock sends
// of a microphone that hears the speaker is the echo less 20 dB once the
// canceller has converged; with it off, the echo itself.
func TestPumpCancelsEcho(t *testing.T) {
	if !dsp.Available() {
		t.Skip("no speexdsp in a build without cgo")
	}
	const seconds = 12
	far := audio.SpeechLike(audio.SampleRate, seconds*audio.SampleRate, 1)
	run := func(f dsp.Features) (echo, sentDB float64) {
		r := newPumpRig(t, nil)
		r.audio.src = echoMic{r.audio}
		s := r.call(far[:audio.FrameSamples])
		r.plan(func(pl *mixPlan) { pl.dsp = f })
		frames := len(far) / audio.FrameSamples
		for i := range frames {
			s.mu.Lock()
			s.rxFrame = far[i*audio.FrameSamples : (i+1)*audio.FrameSamples]
			s.mu.Unlock()
			r.steps(1)
		}
		last := 2 * 50 // the last two seconds
		return audio.DBFS(r.played(t, last)), audio.DBFS(sent(t, s, last))
	}
	echo, off := run(dsp.Features{})
	if off < echo-6-1 { // the echo is half the speaker's level
		t.Fatalf("without processing the echo is sent at %.1f dBFS, want about %.1f", off, echo-6)
	}
	_, on := run(dsp.Features{AEC: true, Denoise: true})
	t.Logf("speaker %.1f dBFS; sent without processing %.1f dBFS, with AEC and NS %.1f dBFS", echo, off, on)
	if on > off-20 {
		t.Errorf("with echo cancellation the echo is sent at %.1f dBFS, want 20 dB below %.1f", on, off)
	}
}

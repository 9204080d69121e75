//go:build linux && cgo

package device

import (
	"math"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// The device layer on PulseAudio, the sound server of nearly every Linux desktop
// (PipeWire speaks its protocol too), through a private server: its microphone
// hears a steady tone, its speaker is recorded.
const (
	pulseMicHz     = 1000.0 // what the server's microphone hears
	pulseSpeakerHz = 700.0  // what the test plays
	pulseRun       = 2 * time.Second
	// pulseRateFast and pulseRateSlow bound how far above and below the sample
	// rate the frames moved in pulseRun may be. Faster than the rate is always a
	// fault (a wrong rate between device and engine); slower is also what a
	// loaded machine does, when the sound server itself waits for a core (the
	// suite runs the browser, wine and the SIP peers beside this), so the floor
	// only catches a wrong rate (half or less) or a sink that holds a new stream
	// back and loses most of it.
	pulseRateFast = 0.10
	pulseRateSlow = 0.35
	// pulseStartWithin bounds the time from Open to the first audio: a few
	// periods of the device and of the sound server.
	pulseStartWithin = 300 * time.Millisecond
	// pulseCloseWithin bounds Close: a device that closes slowly keeps the
	// microphone on after the last call.
	pulseCloseWithin = 200 * time.Millisecond
	// pulseServerRate is the test server's default sample rate (pulseaudio's
	// own default), at which a device that follows the server opens.
	pulseServerRate = 44100
)

// Capture, playback and both at once each start within a few periods and then
// move audio at the sample rate: the microphone's tone arrives as it is, and the
// played tone reaches the speaker as it is.
func TestPulseMovesAudioAtTheSampleRate(t *testing.T) {
	pulse := testpeer.StartPulse(t, testpeer.PulseOptions{MicrophoneHz: pulseMicHz})
	pulse.UseInProcess(t)
	for _, tt := range []struct {
		name  string
		sides Sides
	}{{"capture", Capture}, {"playback", Playback}, {"both", Both}} {
		t.Run(tt.name, func(t *testing.T) {
			rec := pulse.RecordSpeaker(t)
			d, err := Open(Config{Backend: "pulseaudio", Sides: tt.sides, Logger: testLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			r := runTone(d, pulseRun)
			start := time.Now()
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > pulseCloseWithin {
				t.Errorf("Close took %v, want at most %v", took, pulseCloseWithin)
			}
			speaker := rec.Stop(t)
			t.Logf("first audio after %v; in the %v after it %+v", r.started.Round(time.Millisecond), pulseRun, r.moved)

			if r.started > pulseStartWithin {
				t.Errorf("the device moved its first audio %v after it opened, want within %v", r.started, pulseStartWithin)
			}
			want := float64(audio.SampleRate) * pulseRun.Seconds()
			atRate := func(what string, frames uint64) {
				t.Helper()
				if f := float64(frames); f > want*(1+pulseRateFast) || f < want*(1-pulseRateSlow) {
					t.Errorf("the device %s %d frames in %v, want %.0f (+%.0f %%, -%.0f %%)", what, frames, pulseRun, want, pulseRateFast*100, pulseRateSlow*100)
				}
			}
			if tt.sides&Capture != 0 {
				atRate("captured", r.moved.FramesCaptured)
				checkTone(t, "the microphone", r.captured, pulseMicHz)
			}
			if tt.sides&Playback != 0 {
				atRate("played", r.moved.FramesPlayed)
				checkTone(t, "the speaker", speaker, pulseSpeakerHz)
			}
		})
	}
}

// toneRun is what runTone saw.
type toneRun struct {
	started  time.Duration // from the start of the run to the device's first audio
	moved    Stats         // the frames moved in the run's measured time, once started
	captured []int16       // what the engine's side read
}

// runTone drives d as the engine's media clock does: every 20 ms of elapsed time
// it writes a frame of the speaker's tone and reads a captured frame. It runs
// until the device has moved audio for run, and counts the frames of that time.
func runTone(d *Duplex, run time.Duration) toneRun {
	const period = audio.FrameMillis * time.Millisecond
	tone := audio.NewToneSource(pulseSpeakerHz, 8000)
	frame := make([]int16, audio.FrameSamples)
	var r toneRun
	var first Stats
	var firstAt time.Time
	tick := time.NewTicker(period)
	defer tick.Stop()
	start := time.Now()
	for done := 0; firstAt.IsZero() || time.Since(firstAt) < run; {
		<-tick.C
		// Frames are due by elapsed time, not ticks: a tick the test's
		// scheduler dropped is made up.
		for due := int(time.Since(start) / period); done < due; done++ {
			_ = tone.ReadFrame(frame)
			_ = d.WriteFrame(frame)
			_ = d.ReadFrame(frame)
			r.captured = append(r.captured, frame...)
		}
		if s := d.Stats(); firstAt.IsZero() && s.FramesCaptured+s.FramesPlayed > 0 {
			first, firstAt = s, time.Now()
			r.started = firstAt.Sub(start)
		}
	}
	elapsed := time.Since(firstAt)
	last := d.Stats()
	// Scaled to exactly run: the last tick comes a little after it.
	scale := func(n uint64) uint64 { return uint64(float64(n) * run.Seconds() / elapsed.Seconds()) }
	r.moved = Stats{FramesCaptured: scale(last.FramesCaptured - first.FramesCaptured), FramesPlayed: scale(last.FramesPlayed - first.FramesPlayed)}
	return r
}

// checkTone checks that the last second of pcm is the tone of hz at a level well
// above silence.
func checkTone(t *testing.T, what string, pcm []int16, hz float64) {
	t.Helper()
	if len(pcm) < audio.SampleRate {
		t.Errorf("%s: %d samples, want at least a second", what, len(pcm))
		return
	}
	last := pcm[len(pcm)-audio.SampleRate:]
	got, rms := audio.DominantFrequency(last, audio.SampleRate, 200, 3500, 5), audio.RMS(last)
	t.Logf("%s: %.0f Hz at RMS %.0f", what, got, rms)
	if math.Abs(got-hz) > 15 || rms < 1000 {
		t.Errorf("%s: %.0f Hz at RMS %.0f in its last second, want %.0f Hz at RMS 1000 or more", what, got, rms, hz)
	}
}

// The device opens at the sound server's own rate, not the engine's, and the
// engine's frames still carry the tones both ways (the test above): the
// conversion is ours, through the resampler whose response is tested in
// internal/codec/resample, not miniaudio's.
func TestPulseOpensAtTheServersRate(t *testing.T) {
	pulse := testpeer.StartPulse(t, testpeer.PulseOptions{MicrophoneHz: pulseMicHz})
	pulse.UseInProcess(t)
	d, err := Open(Config{Backend: "pulseaudio", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	in, out := d.Rates()
	t.Logf("capture at %d Hz, playback at %d Hz, the engine at %d Hz", in, out, audio.SampleRate)
	if in != pulseServerRate || out != pulseServerRate {
		t.Errorf("devices at %d and %d Hz, want the server's %d Hz", in, out, pulseServerRate)
	}
}

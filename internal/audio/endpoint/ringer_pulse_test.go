//go:build linux && cgo

package endpoint

import (
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// The ring tone on a ringer of its own: a loud desk speaker rings while the call is
// heard on the default speaker. Through a private PulseAudio server: the ring is
// recorded on the ringer's sink and not on the speaker's, a ringer chosen mid-ring
// takes the ring at once, the call's audio is on the speaker and not on the ringer,
// and a ringer that is the speaker's device mixes the ring into the speaker's stream.
func TestRingerPlaysOnItsOwnDevice(t *testing.T) {
	pulse := testpeer.StartPulse(t, testpeer.PulseOptions{})
	pulse.UseInProcess(t)
	for _, sink := range []string{"wps_desk", "wps_bell"} {
		pulse.AddSink(t, sink)
		pulse.KeepAwake(t, sink)
	}
	e := open(t, config.Audio{Backend: "pulseaudio", Input: "null", Output: "device", InputDevice: "default", OutputDevice: "default"})
	if e.Ringer() != nil {
		t.Fatal("the ringer is the speaker's device, yet Ringer is a sink of its own: want the ring mixed into the speaker")
	}
	desk := deviceNamed(t, e.Devices().Outputs, "wps_desk")
	if _, err := e.Select(api.DeviceSelectArgs{Ringer: desk}); err != nil {
		t.Fatal(err)
	}
	if err := e.Use(false, true); err != nil {
		t.Fatal(err)
	}

	const ringHz, callHz = 440, 700
	speaker, ringer := pulse.RecordSpeaker(t), pulse.RecordSink(t, "wps_desk")
	ring(t, e, ringHz, 1500*time.Millisecond)
	heardOn(t, "the ringer", ringer.Stop(t), ringHz, true)
	heardOn(t, "the speaker while ringing", speaker.Stop(t), ringHz, false)

	bell := deviceNamed(t, e.Devices().Outputs, "wps_bell")
	moved := pulse.RecordSink(t, "wps_bell")
	if _, err := e.Select(api.DeviceSelectArgs{Ringer: bell}); err != nil { // mid-ring: the ring goes on
		t.Fatal(err)
	}
	ring(t, e, ringHz, 1500*time.Millisecond)
	heardOn(t, "the ringer chosen mid-ring", moved.Stop(t), ringHz, true)

	speaker, ringer = pulse.RecordSpeaker(t), pulse.RecordSink(t, "wps_bell")
	play(e, callHz, 1500*time.Millisecond)
	heardOn(t, "the speaker in the call", speaker.Stop(t), callHz, true)
	heardOn(t, "the ringer in the call", ringer.Stop(t), callHz, false)

	if _, err := e.Select(api.DeviceSelectArgs{Ringer: "default"}); err != nil {
		t.Fatal(err)
	}
	if e.Ringer() != nil {
		t.Error("the ringer is the speaker's device again, yet Ringer is a sink of its own")
	}
}

// ring writes a tone of hz to the ringer for d, a frame every 20 ms, as the media
// clock does while a call rings. The endpoint must give the ringer a sink of its own.
func ring(t *testing.T, e *Endpoint, hz float64, d time.Duration) {
	t.Helper()
	tone := audio.NewToneSource(hz, 8000)
	frame := make([]int16, audio.FrameSamples)
	tick := time.NewTicker(audio.FrameMillis * time.Millisecond)
	defer tick.Stop()
	for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
		r := e.Ringer()
		if r == nil {
			t.Fatal("Ringer is nil with a ringer of its own chosen: the ring would be mixed into the speaker")
		}
		_ = tone.ReadFrame(frame)
		_ = r.WriteFrame(frame)
	}
}

// heardOn checks that the last second of rec has the tone of hz in it (want), or
// nothing of it. The tone's amplitude is 8000, 0.24 of full scale. The second is
// measured in fifths, the loudest of them counting: a busy machine's sound server
// skips or repeats a little now and then, and a skip's jump of phase would cancel
// much of a tone measured over the whole second.
func heardOn(t *testing.T, where string, rec []int16, hz float64, want bool) {
	t.Helper()
	if len(rec) > audio.SampleRate {
		rec = rec[len(rec)-audio.SampleRate:]
	}
	const part = audio.SampleRate / 5
	lvl := 0.0
	for i := 0; i+part <= len(rec); i += part {
		lvl = max(lvl, audio.ToneLevel(rec[i:i+part], audio.SampleRate, hz))
	}
	switch {
	case want && lvl < 0.15:
		t.Errorf("%s: the %.0f Hz tone at %.3f of full scale at most (RMS %.0f), want it heard (0.24)", where, hz, lvl, audio.RMS(rec))
	case !want && lvl > 0.01:
		t.Errorf("%s: the %.0f Hz tone at %.3f of full scale, want it not heard there", where, hz, lvl)
	}
}

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

// A headset unplugged mid-call: the chosen speaker goes away while the device is
// open. The device reopens on the system's default, where the call's audio is heard,
// and the choice is kept: plugged in again, the headset is used again. Through a
// private PulseAudio server, whose sinks come and go as sound cards do; it runs no
// module that would move a stream for us.
func TestUnpluggedDeviceFallsBackToTheDefaultAndReturns(t *testing.T) {
	pulse := testpeer.StartPulse(t, testpeer.PulseOptions{})
	pulse.UseInProcess(t)
	plugged := pulse.AddSink(t, "wps_headset")
	e := open(t, config.Audio{Backend: "pulseaudio", Input: "null", Output: "device", InputDevice: "default", OutputDevice: "default"})
	e.watchEvery = 50 * time.Millisecond
	moved := make(chan struct{}, 4)
	e.SetOnMove(func() { moved <- struct{}{} })
	headset := deviceNamed(t, e.Devices().Outputs, "wps_headset")
	if _, err := e.Select(api.DeviceSelectArgs{Output: headset}); err != nil {
		t.Fatal(err)
	}
	if err := e.Use(false, true); err != nil {
		t.Fatal(err)
	}
	if got := e.Devices().UsingOutput; got != headset {
		t.Fatalf("using output %q, want the headset %q", got, headset)
	}

	pulse.Unload(t, plugged)
	waitMoved(t, moved, "the headset unplugged")
	if d := e.Devices(); d.UsingOutput != "default" || d.SelectedOutput != headset {
		t.Fatalf("using %q with %q selected, want the default while the headset stays the choice", d.UsingOutput, d.SelectedOutput)
	}
	rec := pulse.RecordSpeaker(t)
	play(e, 700, 1500*time.Millisecond)
	heard := rec.Stop(t)
	if len(heard) > audio.SampleRate {
		heard = heard[len(heard)-audio.SampleRate:]
	}
	// the tone's amplitude is 8000, a quarter of full scale
	if lvl := audio.ToneLevel(heard, audio.SampleRate, 700); lvl < 0.15 {
		t.Errorf("the default speaker heard RMS %.0f, the 700 Hz tone at %.2f of full scale: want the call's tone (0.24)", audio.RMS(heard), lvl)
	}

	pulse.AddSink(t, "wps_headset")
	waitMoved(t, moved, "the headset plugged in again")
	if got := e.Devices().UsingOutput; got != headset {
		t.Errorf("using output %q after the headset came back, want %q", got, headset)
	}
}

// deviceNamed is the id of the device called name.
func deviceNamed(t *testing.T, list []api.Device, name string) string {
	t.Helper()
	for _, d := range list {
		if d.Name == name {
			return d.ID
		}
	}
	t.Fatalf("no device %q in %+v", name, list)
	return ""
}

func waitMoved(t *testing.T, moved <-chan struct{}, after string) {
	t.Helper()
	select {
	case <-moved:
	case <-time.After(20 * time.Second): // a poll every 50 ms; generous for a loaded machine
		t.Fatalf("%s: the device did not move within 20 s", after)
	}
}

// play writes a tone of hz to the speaker for d, a frame every 20 ms, as the media
// clock does.
func play(e *Endpoint, hz float64, d time.Duration) {
	tone := audio.NewToneSource(hz, 8000)
	frame := make([]int16, audio.FrameSamples)
	tick := time.NewTicker(audio.FrameMillis * time.Millisecond)
	defer tick.Stop()
	for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
		_ = tone.ReadFrame(frame)
		_ = e.Sink().WriteFrame(frame)
	}
}

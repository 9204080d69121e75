package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// ringHz is one of the two tones of the built-in ring (440 + 480 Hz).
const ringHz = 440.0

// The ringer on a device of its own (Mizu setdevice role 2), through a private
// PulseAudio server: an incoming call rings on the ringer's sink and not on the
// speaker's; answered, the call's audio plays on the speaker and not on the ringer.
func TestRingerDeviceRingsApartFromTheCall(t *testing.T) {
	pulse := testpeer.StartPulse(t, testpeer.PulseOptions{MicrophoneHz: engineHz})
	const bell = "wps_bell"
	pulse.AddSink(t, bell)
	pulse.KeepAwake(t, bell)
	e := startEngine(t, engineOptions{env: pulse.Env(),
		audio: map[string]any{"backend": "auto", "input": "device", "output": "device"}})
	pid := e.cmd.Process.Pid
	c := e.connect(t)
	var devs api.Devices
	c.mustDo(api.CmdDevicesList.Name, nil, &devs)
	ringer := ""
	for _, d := range devs.Outputs {
		if d.Name == bell {
			ringer = d.ID
		}
	}
	if ringer == "" {
		t.Fatalf("no %s among the outputs %+v", bell, devs.Outputs)
	}
	c.mustDo(api.CmdDevicesSelect.Name, map[string]any{"ringer": ringer}, &devs)
	if devs.SelectedRinger != ringer || devs.SelectedOutput != "default" {
		t.Fatalf("selected ringer %q, speaker %q; want %q and the default", devs.SelectedRinger, devs.SelectedOutput, ringer)
	}

	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", SourceWAV: wav})
	speaker, ringing := pulse.RecordSpeaker(t), pulse.RecordSink(t, bell)
	bob.Dial(t, "sip:alice@"+e.sipAddr())
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &in)
		return in.State == api.CallRinging && in.Direction == api.DirIncoming
	}), &in)
	pulse.WaitStreams(t, pid, testpeer.PulseStreams{Playback: 2}, 5*time.Second) // the speaker and the ringer
	time.Sleep(1500 * time.Millisecond)                                          // the ring's first 2 s are on
	checkHeard(t, "the ringer while it rings", ringing.Stop(t), ringHz)
	checkNotHeard(t, "the speaker while the call rings", speaker.Stop(t), ringHz)

	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)
	c.callStates(in.CallID, api.CallActive, 5*time.Second)
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	pulse.WaitStreams(t, pid, testpeer.PulseStreams{Playback: 1, Capture: 1}, 5*time.Second) // the ringer closed
	speaker, ringing = pulse.RecordSpeaker(t), pulse.RecordSink(t, bell)
	c.awaitFarAudio(10 * time.Second)
	time.Sleep(1500 * time.Millisecond) // a second and more of the call on the speaker
	checkHeard(t, "the speaker in the call", speaker.Stop(t), baresipHz)
	checkNotHeard(t, "the ringer in the call", ringing.Stop(t), baresipHz)
	bob.Hangup(t)
	c.callStates(in.CallID, api.CallEnded, 5*time.Second)
}

// checkNotHeard checks that no second of pcm holds the tone of hz, where
// checkHeard finds one.
func checkNotHeard(t *testing.T, what string, pcm []int16, hz float64) {
	t.Helper()
	for i := 0; i+audio.SampleRate <= len(pcm); i += audio.SampleRate / 2 {
		if lvl := audio.ToneLevel(pcm[i:i+audio.SampleRate], audio.SampleRate, hz); lvl > 0.005 {
			t.Errorf("%s: %.0f Hz at %.3f, want it not heard there", what, hz, lvl)
			return
		}
	}
}

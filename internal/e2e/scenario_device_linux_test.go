package e2e

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// deviceRelease is how soon the engine lets the sound device go once nothing
// needs it.
const deviceRelease = 2 * time.Second

// micLevelDBFS is the least input level the meter may show for the sound
// server's microphone, a steady tone at about -9 dBFS (silence is -90).
const micLevelDBFS = -20

// Scenario 5, the sound device only while needed, on a real sound system: the
// engine plays and captures through a private PulseAudio server (its "auto"
// backend). Idle, the engine has no stream open on the server and no sound
// device file open. An incoming call opens the speaker for the ringer;
// answered, the microphone too, and the call's audio goes both ways: the far
// phone hears the microphone's tone, the speaker plays the far phone's; hung
// up, both close within 2 s. A page's level meter opens the microphone alone
// and shows its level, and closing its connection closes it within 2 s.
func TestScenarioDeviceOnlyWhileNeeded(t *testing.T) {
	pulse := testpeer.StartPulse(t, testpeer.PulseOptions{MicrophoneHz: engineHz})
	e := startEngine(t, engineOptions{env: pulse.Env(),
		audio: map[string]any{"backend": "auto", "input": "device", "output": "device"}})
	pid := e.cmd.Process.Pid
	c := e.connect(t)
	if d := c.hello.Snapshot.Devices; len(d.Inputs) == 0 || len(d.Outputs) == 0 {
		t.Fatalf("the engine lists no devices of the sound server: %+v", d)
	}
	idle := func(when string) {
		t.Helper()
		if s, err := pulse.StreamsOf(pid); err != nil || s != (testpeer.PulseStreams{}) {
			t.Fatalf("%s: the engine has %v open on the sound server (%v), want none", when, s, err)
		}
		if files := soundFilesOpen(t, pid); len(files) > 0 {
			t.Fatalf("%s: the engine holds sound device files %v", when, files)
		}
	}
	idle("idle after start")

	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", SourceWAV: wav, Record: true})
	speaker := pulse.RecordSpeaker(t)
	bob.Dial(t, "sip:alice@"+e.sipAddr())
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &in)
		return in.State == api.CallRinging && in.Direction == api.DirIncoming
	}), &in)
	pulse.WaitStreams(t, pid, testpeer.PulseStreams{Playback: 1}, deviceRelease) // the ringer

	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)
	c.callStates(in.CallID, api.CallActive, 5*time.Second)
	pulse.WaitStreams(t, pid, testpeer.PulseStreams{Playback: 1, Capture: 1}, deviceRelease)
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)
	bob.Hangup(t)
	c.callStates(in.CallID, api.CallEnded, 5*time.Second)
	released := pulse.WaitStreams(t, pid, testpeer.PulseStreams{}, deviceRelease)
	t.Logf("the call's streams closed %v after it ended", released.Round(time.Millisecond))
	idle("after the call")
	bob.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second) // finishes its recording
	if heard := tonesHeard(speaker.Stop(t)); !hasTone(heard, baresipHz) {
		t.Errorf("the speaker played %v Hz, want bob's %.0f Hz", heard, baresipHz)
	}
	if hz, rms := loudest(readWAV(t, decodedDump(t, bob))); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("bob heard %.0f Hz at RMS %.0f, want the microphone's %.0f Hz", hz, rms, engineHz)
	}
	var snap api.Snapshot
	c.mustDo(api.CmdStatus.Name, nil, &snap)
	if snap.Devices.Backend != "pulseaudio" {
		t.Errorf("the call's audio went through %q, want pulseaudio", snap.Devices.Backend)
	}

	meter := e.connect(t)
	meter.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"levels": true}, nil)
	pulse.WaitStreams(t, pid, testpeer.PulseStreams{Capture: 1}, deviceRelease)
	if in := medianInput(levels(t, meter, 5)); in < micLevelDBFS {
		t.Errorf("the level meter shows the microphone at %d dBFS, want its tone at %d dBFS or more", in, micLevelDBFS)
	}
	meter.conn.Close()
	released = pulse.WaitStreams(t, pid, testpeer.PulseStreams{}, deviceRelease)
	t.Logf("the level meter's capture closed %v after its connection", released.Round(time.Millisecond))
	idle("after the level meter")
}

// soundFilesOpen returns the sound device files (/dev/snd/...) that the
// process pid holds open.
func soundFilesOpen(t *testing.T, pid int) []string {
	t.Helper()
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("open files of the engine: %v", err)
	}
	var sound []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		if err == nil && strings.HasPrefix(target, "/dev/snd/") {
			sound = append(sound, target)
		}
	}
	return sound
}

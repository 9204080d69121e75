package e2e

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// With levels subscribed, the engine reports its microphone's level about ten times a
// second even with no call (a page shows a live meter in its device picker), and the
// level follows devices.volume: input 25 halves the amplitude, -6 dB. A connection
// that did not subscribe gets no levels.
func TestLevelsFollowTheInputVolume(t *testing.T) {
	e := startEngine(t, engineOptions{})
	mic := audio.DBFS(readWAV(t, filepath.Join(filepath.Dir(e.cfgPath), "mic.wav")))
	c := e.connect(t)
	quiet := e.connect(t)

	d := c.hello.Snapshot.Devices
	if d.InputVolume != 50 || d.OutputVolume != 50 || d.RingerVolume != 50 {
		t.Errorf("snapshot volumes %d/%d/%d, want the defaults 50/50/50", d.InputVolume, d.OutputVolume, d.RingerVolume)
	}
	var sub api.SubscribeArgs
	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"levels": true}, &sub)
	if !sub.Levels {
		t.Fatalf("subscribe result %+v", sub)
	}

	start := time.Now()
	before := levels(t, c, 10)
	rate := 10 / time.Since(start).Seconds()
	in := medianInput(before)
	if math.Abs(float64(in)-mic) > 2 {
		t.Errorf("input level %d dBFS, want the microphone WAV's %.1f (±2)", in, mic)
	}
	if rate < 5 || rate > 20 {
		t.Errorf("%.1f levels events a second, want about 10", rate)
	}
	for _, lv := range before {
		if lv.Output != -90 {
			t.Errorf("idle output level %d, want -90 (nothing plays)", lv.Output)
		}
	}

	var devs api.Devices
	c.mustDo(api.CmdDevicesVolume.Name, map[string]any{"input": 25}, &devs)
	if devs.InputVolume != 25 || devs.OutputVolume != 50 {
		t.Errorf("devices.volume result %+v", devs)
	}
	levels(t, c, 2) // the window the change fell in
	after := medianInput(levels(t, c, 5))
	t.Logf("microphone WAV %.2f dBFS; input level %d at volume 50, %d at 25; %.1f events/s", mic, in, after, rate)
	if drop := float64(in - after); drop < 4 || drop > 8 {
		t.Errorf("input level %d → %d dBFS at volume 25, want a drop of about 6 dB", in, after)
	}

	var snap api.Snapshot
	quiet.mustDo(api.CmdStatus.Name, nil, &snap)
	if snap.Devices.InputVolume != 25 || snap.Devices.OutputVolume != 50 || snap.Devices.RingerVolume != 50 {
		t.Errorf("status devices %+v, want input 25", snap.Devices)
	}
	for drained := false; !drained; {
		select {
		case ev := <-quiet.events:
			if ev.Event == api.EvAudioLevel {
				t.Fatalf("a connection that did not subscribe got %s %s", ev.Event, ev.Data)
			}
		default:
			drained = true
		}
	}
}

// levels returns the next n audio.level events on c.
func levels(t *testing.T, c *client, n int) []api.Levels {
	t.Helper()
	out := make([]api.Levels, 0, n)
	for len(out) < n {
		var lv api.Levels
		if err := json.Unmarshal(c.next(api.EvAudioLevel, 2*time.Second, nil), &lv); err != nil {
			t.Fatal(err)
		}
		out = append(out, lv)
	}
	return out
}

func medianInput(ls []api.Levels) int {
	in := make([]int, len(ls))
	for i, lv := range ls {
		in[i] = lv.Input
	}
	slices.Sort(in)
	return in[len(in)/2]
}

// call.ignore silences the engine's ringer and sends the caller nothing: SIPp's call
// keeps ringing (a 4xx would fail its scenario), and the user can still answer it.
func TestIgnoreKeepsTheCallerRinging(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_pcap_dtmf.xml"), Target: e.sipAddr(), Service: "alice",
	})
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	}), &in)

	c.mustDo(api.CmdCallIgnore.Name, map[string]any{"callId": in.CallID}, nil)
	var ignored api.CallState
	json.Unmarshal(c.next(api.EvCallState, 2*time.Second, nil), &ignored)
	if !ignored.Ignored || ignored.State != api.CallRinging || ignored.CallID != in.CallID {
		t.Fatalf("call.state after ignore %+v, want the call ringing and ignored", ignored)
	}
	// For a second the call must stay as it is: nothing ends it, nothing changes it.
	quiet := time.After(time.Second)
	for waiting := true; waiting; {
		select {
		case ev := <-c.events:
			if ev.Event == api.EvCallState {
				t.Fatalf("the ignored call changed: %s", ev.Data)
			}
		case <-quiet:
			waiting = false
		}
	}
	var snap api.Snapshot
	c.mustDo(api.CmdStatus.Name, nil, &snap)
	if len(snap.Lines) != 1 || !snap.Lines[0].Ignored || snap.Lines[0].State != api.CallRinging {
		t.Fatalf("snapshot lines %+v, want the ignored ringing call", snap.Lines)
	}

	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)
	got := c.callStates(in.CallID, api.CallEnded, 20*time.Second)
	if want := []string{api.CallActive, api.CallEnded}; !slices.Equal(states(got), want) {
		t.Errorf("states after answer %v, want %v", states(got), want)
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("sipp exit %d:\n%s", code, log)
	}
}

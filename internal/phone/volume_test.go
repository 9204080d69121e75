package phone

import (
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

func TestDevicesVolumeValidation(t *testing.T) {
	tests := []struct {
		name     string
		args     api.VolumeArgs
		wantCode string // "" = accepted
		want     [3]int // input, output, ringer after the command
	}{
		{"defaults kept with no field", api.VolumeArgs{}, "", [3]int{50, 50, 50}},
		{"one field", api.VolumeArgs{Input: ptr(25)}, "", [3]int{25, 50, 50}},
		{"all fields at the limits", api.VolumeArgs{Input: ptr(0), Output: ptr(100), Ringer: ptr(0)}, "", [3]int{0, 100, 0}},
		{"input below 0", api.VolumeArgs{Input: ptr(-1)}, api.CodeInvalidArgs, [3]int{50, 50, 50}},
		{"output above 100", api.VolumeArgs{Output: ptr(101)}, api.CodeInvalidArgs, [3]int{50, 50, 50}},
		{"ringer far out", api.VolumeArgs{Ringer: ptr(1000)}, api.CodeInvalidArgs, [3]int{50, 50, 50}},
		{"one bad field changes nothing", api.VolumeArgs{Input: ptr(10), Output: ptr(20), Ringer: ptr(-5)}, api.CodeInvalidArgs, [3]int{50, 50, 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			res, err := r.do(api.CmdDevicesVolume.Name, &tt.args)
			if got := apiCode(err); got != tt.wantCode {
				t.Fatalf("error %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if err == nil {
				d := res.(api.Devices)
				if got := [3]int{d.InputVolume, d.OutputVolume, d.RingerVolume}; got != tt.want {
					t.Errorf("result volumes %v, want %v", got, tt.want)
				}
				if d.Backend != "fake" {
					t.Errorf("result %+v lacks the device list", d)
				}
				ev := nextEvent(t, r, api.EvDevicesChanged).Data.(api.Devices)
				if got := [3]int{ev.InputVolume, ev.OutputVolume, ev.RingerVolume}; got != tt.want {
					t.Errorf("devices.changed volumes %v, want %v", got, tt.want)
				}
			}
			for _, d := range []api.Devices{
				r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot).Devices,
				r.mustDo(api.CmdDevicesList.Name, nil).(api.Devices),
			} {
				if got := [3]int{d.InputVolume, d.OutputVolume, d.RingerVolume}; got != tt.want {
					t.Errorf("reported volumes %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// The volumes reach the media clock: the peer hears the microphone 6 dB lower at 25
// and the speaker plays the peer 6 dB louder at 100.
func TestDevicesVolumeAppliesToTheCall(t *testing.T) {
	r := newRig(t, nil)
	if d := r.hello.Data.(api.Hello).Snapshot.Devices; d.InputVolume != 50 || d.OutputVolume != 50 || d.RingerVolume != 50 {
		t.Errorf("default volumes %+v, want 50", d)
	}
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	r.sipEvent(r.sip.lastDial(t).id, inAnswered, 200, peerSDP(30000, pcmu))
	s := r.lastStream()
	s.mu.Lock()
	s.rxFrame = toneFrame(4000)
	s.mu.Unlock()

	measure := func() (sentDB, playedDB float64) {
		for range 6 {
			r.tick <- time.Time{}
		}
		r.tick <- time.Time{} // the sixth step is done once the pump takes the seventh
		r.audio.mu.Lock()
		played := joinFrames(r.audio.sunk[len(r.audio.sunk)-5:])
		r.audio.mu.Unlock()
		return audio.DBFS(sent(t, s, 5)), audio.DBFS(played)
	}
	sent50, played50 := measure()
	r.mustDo(api.CmdDevicesVolume.Name, &api.VolumeArgs{Input: ptr(25), Output: ptr(100)})
	sent25, played100 := measure()
	if d := sent25 - sent50; d > -5 || d < -7 {
		t.Errorf("input 25 changed what the peer hears by %.2f dB, want -6", d)
	}
	if d := played100 - played50; d < 5 || d > 7 {
		t.Errorf("output 100 changed what the speaker plays by %.2f dB, want +6", d)
	}
}

// Levels travel as audio.level events on the bus, ten per second of frames, while a
// client watches them.
func TestLevelsEventsOnTheBus(t *testing.T) {
	r := newRig(t, nil) // the microphone: a 1000 Hz sine of peak 8000, -15.3 dBFS RMS
	defer r.p.WatchLevels()()
	for range 51 {
		r.tick <- time.Time{}
	}
	var got []api.Levels
	for len(got) < 10 {
		got = append(got, nextEvent(t, r, api.EvAudioLevel).Data.(api.Levels))
	}
	for _, lv := range got {
		if abs(lv.Input-(-15)) > 1 || lv.Output != levelFloor {
			t.Errorf("idle levels %+v, want input -15 and output %d", lv, levelFloor)
		}
	}
	select {
	case ev := <-r.events:
		if ev.Event == api.EvAudioLevel {
			t.Errorf("an 11th levels event after 50 frames: %+v", ev)
		}
	default:
	}
}

// nextEvent waits for the next event named name, skipping others.
func nextEvent(t *testing.T, r *rig, name string) api.Event {
	t.Helper()
	for {
		select {
		case ev := <-r.events:
			if ev.Event == name {
				return ev
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("no %s event", name)
		}
	}
}

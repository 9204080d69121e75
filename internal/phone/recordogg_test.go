package phone

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
	"github.com/wpservice/wpservice/internal/oggopus"
)

// With recordFormat ogg a recorded call is stereo Opus in Ogg, named .opus: decoded,
// what the user sent is on the left and what the peer sent on the right.
func TestRecordACallToOgg(t *testing.T) {
	if !opus.Available {
		t.Skip("no libopus in a build without cgo")
	}
	r, _ := soundRig(t)
	r.audio.src = audio.NewToneSource(600, 8000) // the microphone
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RecordFormat: ptr(api.RecordOgg)})
	_, cs := activeOutgoing(t, r)
	r.lastStream().rxFrame = toneFrame(8000) // the peer: 1000 Hz
	ref := api.CallRef{CallID: cs.CallID}
	res := r.mustDo(api.CmdCallRecord.Name, &api.RecordArgs{CallRef: ref, Action: api.RecordStart}).(api.RecordResult)
	if !strings.HasSuffix(res.File, "-out-bob-"+cs.CallID+".opus") {
		t.Errorf("recording file %q, want a .opus name", res.File)
	}
	r.nextEventNamed(api.EvCallRecording) // started
	r.ticks(100)
	r.mustDo(api.CmdCallRecord.Name, &api.RecordArgs{CallRef: ref, Action: api.RecordStop})
	if ev := r.nextEventNamed(api.EvCallRecording).Data.(api.RecordingEvent); ev.State != api.RecordingStopped {
		t.Fatalf("call.recording %+v, want stopped", ev)
	}
	f, err := os.Open(filepath.Join(r.p.cfg.RecordingsDir, res.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, err := oggopus.Read(f)
	if err != nil || !rec.Ended {
		t.Fatalf("the recording: %+v, %v; want a whole Ogg Opus stream", rec, err)
	}
	left, right, err := rec.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(left) < 80*audio.FrameSamples {
		t.Fatalf("%d samples decoded, want the 2 s recorded", len(left))
	}
	left, right = left[len(left)/4:], right[len(right)/4:] // past the codec's start
	if lvl := audio.ToneLevel(left, audio.SampleRate, 600); lvl < 0.15 {
		t.Errorf("left: the microphone's 600 Hz at %.3f", lvl)
	}
	if lvl := audio.ToneLevel(right, audio.SampleRate, 1000); lvl < 0.15 {
		t.Errorf("right: the peer's 1000 Hz at %.3f", lvl)
	}
	if l, rt := audio.ToneLevel(left, audio.SampleRate, 1000), audio.ToneLevel(right, audio.SampleRate, 600); l > 0.02 || rt > 0.02 {
		t.Errorf("the sides leak: the peer on the left %.3f, the microphone on the right %.3f", l, rt)
	}
}

// recordFormat is wav or ogg; anything else is refused and the format stays.
func TestRecordFormatSetting(t *testing.T) {
	r, _ := soundRig(t)
	if got := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings).RecordFormat; got != api.RecordWAV {
		t.Errorf("recordFormat %q by default, want wav", got)
	}
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{RecordFormat: ptr("mp3")}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("recordFormat mp3: %v, want invalid_args", err)
	}
	if !opus.Available {
		return
	}
	if got := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RecordFormat: ptr(api.RecordOgg)}).(api.Settings).RecordFormat; got != api.RecordOgg {
		t.Errorf("recordFormat %q after setting ogg", got)
	}
}

package phone

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// readRecording parses the recording file of the rig's recordings folder.
func readRecording(t *testing.T, r *rig, name string) (audio.WAVInfo, [][]int16) {
	t.Helper()
	f, err := os.Open(filepath.Join(r.p.cfg.RecordingsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, chans, err := audio.ParseWAVChannels(f)
	if err != nil {
		t.Fatal(err)
	}
	return info, chans
}

// A recorded call is a stereo WAV at the engine's rate: what the user sent on the
// left, what the peer sent on the right; call.recording names the file, not its
// path, and says stopped once the file is complete.
func TestRecordACall(t *testing.T) {
	r, _ := soundRig(t)
	r.audio.src = audio.NewToneSource(600, 8000) // the microphone, before the clock runs
	_, cs := activeOutgoing(t, r)
	r.lastStream().rxFrame = toneFrame(8000) // the peer: 1000 Hz
	res := r.mustDo(api.CmdCallRecord.Name, &api.RecordArgs{CallRef: api.CallRef{CallID: cs.CallID}, Action: api.RecordStart}).(api.RecordResult)
	if !strings.HasSuffix(res.File, "-out-bob-"+cs.CallID+".wav") || strings.ContainsAny(res.File, `/\`) {
		t.Errorf("recording file %q", res.File)
	}
	if ev := r.nextEventNamed(api.EvCallRecording).Data.(api.RecordingEvent); ev.State != api.RecordingStarted || ev.File != res.File || ev.CallID != cs.CallID {
		t.Errorf("call.recording %+v", ev)
	}
	r.ticks(50)
	r.mustDo(api.CmdCallRecord.Name, &api.RecordArgs{CallRef: api.CallRef{CallID: cs.CallID}, Action: api.RecordStop})
	if ev := r.nextEventNamed(api.EvCallRecording).Data.(api.RecordingEvent); ev.State != api.RecordingStopped || ev.File != res.File {
		t.Errorf("call.recording %+v, want stopped", ev)
	}
	info, ch := readRecording(t, r, res.File)
	if info.Channels != 2 || info.SampleRate != audio.SampleRate || info.Frames < 40*audio.FrameSamples {
		t.Fatalf("recording %+v, want about a second of stereo at %d Hz", info, audio.SampleRate)
	}
	left, right := ch[0], ch[1]
	if lvl := audio.ToneLevel(left, audio.SampleRate, 600); lvl < 0.2 {
		t.Errorf("left: the microphone's 600 Hz at %.3f", lvl)
	}
	if lvl := audio.ToneLevel(right, audio.SampleRate, 1000); lvl < 0.2 {
		t.Errorf("right: the peer's 1000 Hz at %.3f", lvl)
	}
	if l, rt := audio.ToneLevel(left, audio.SampleRate, 1000), audio.ToneLevel(right, audio.SampleRate, 600); l > 0.01 || rt > 0.01 {
		t.Errorf("the sides leak: the peer on the left %.3f, the microphone on the right %.3f", l, rt)
	}
	if _, err := r.do(api.CmdCallRecord.Name, &api.RecordArgs{CallRef: api.CallRef{CallID: cs.CallID}, Action: api.RecordStop}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("stopping a call not recorded: %v", err)
	}
	if _, err := r.do(api.CmdCallRecord.Name, &api.RecordArgs{CallRef: api.CallRef{CallID: cs.CallID}, Action: "pause"}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("action pause: %v", err)
	}
}

// With recordCalls every call is recorded from its answer, named by the template,
// and the recording stops when the call ends.
func TestRecordCallsRecordsEveryCallUntilItEnds(t *testing.T) {
	r, _ := soundRig(t)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RecordCalls: ptr(true), RecordingName: ptr("{direction}_{peer}_{line}")})
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	cs := r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	ev := r.nextEventNamed(api.EvCallRecording).Data.(api.RecordingEvent) // before the call.state that says active
	if ev.State != api.RecordingStarted || ev.File != "out_bob_1.wav" || ev.CallID != cs.CallID {
		t.Errorf("call.recording %+v, want out_bob_1.wav started", ev)
	}
	r.ticks(10)
	r.sipEvent(d.id, inRemoteBye, 0, nil)
	if ev := r.nextEventNamed(api.EvCallRecording).Data.(api.RecordingEvent); ev.State != api.RecordingStopped {
		t.Errorf("call.recording %+v after the call ended, want stopped", ev)
	}
	if info, _ := readRecording(t, r, "out_bob_1.wav"); info.Frames < 5*audio.FrameSamples {
		t.Errorf("recording %+v, want the frames of the call", info)
	}
}

// The template's placeholders give file names without paths, whatever the peer's
// name says; a template with a path or an unknown placeholder is refused.
func TestRecordingNames(t *testing.T) {
	c := &call{id: "c7", line: 2, peerUser: "../../etc/passwd", outgoing: false}
	at := mustTime(t, "2026-01-05T14:30:12Z")
	if got := recordingName(defaultRecordingName, c, at); got != "20260105-143012-in-.._.._etc_passwd-c7.wav" {
		t.Errorf("name %q", got)
	}
	if got := recordingName("..", c, at); got != "recording.wav" {
		t.Errorf("name of template '..' %q", got)
	}
	for _, bad := range []string{"", "a/b", `a\b`, "{nope}.wav", "c:{peer}"} {
		if checkNameTemplate(bad) == nil {
			t.Errorf("template %q accepted", bad)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

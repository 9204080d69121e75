package e2e

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// playHz is the tone of the file the engine plays into the call.
const playHz = 1500.0

// recordingSetup is newCallSetup's call with the engine recording every call, and a
// sounds folder holding prompt.wav, a 48 kHz stereo playHz tone.
func recordingSetup(t *testing.T) (*callSetup, string) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true})
	bob.WaitRegistered(t, 10*time.Second)
	dir := t.TempDir()
	sounds, recordings := filepath.Join(dir, "sounds"), filepath.Join(dir, "recordings")
	if err := os.Mkdir(sounds, 0o700); err != nil {
		t.Fatal(err)
	}
	writeStereoToneAt(t, filepath.Join(sounds, "prompt.wav"), 48000, playHz, 2*time.Second)
	e := startEngine(t, engineOptions{inputHz: engineHz, settings: map[string]any{"recordCalls": true},
		audio:   map[string]any{"soundsDir": sounds, "recordingsDir": recordings},
		account: map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}})
	c := e.connect(t)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	}
	return &callSetup{kam: kam, bob: bob, e: e, c: c}, recordings
}

// writeStereoTone writes a stereo WAV of hz at rate, the same on both channels.
func writeStereoToneAt(t *testing.T, path string, rate int, hz float64, d time.Duration) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := audio.NewWAVWriter(f, rate, 2)
	if err != nil {
		t.Fatal(err)
	}
	n := int(d.Seconds() * float64(rate))
	stereo := make([]int16, 0, 2*n)
	for i := range n {
		s := int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
		stereo = append(stereo, s, s)
	}
	w.WriteFrame(stereo)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// recordingEvent waits for the call.recording event in state.
func (c *client) recordingEvent(state string, timeout time.Duration) api.RecordingEvent {
	c.t.Helper()
	var ev api.RecordingEvent
	json.Unmarshal(c.next(api.EvCallRecording, timeout, func(d json.RawMessage) bool {
		var e api.RecordingEvent
		return json.Unmarshal(d, &e) == nil && e.State == state
	}), &ev)
	return ev
}

// readStereo parses a recording: its left and right channels.
func readStereo(t *testing.T, path string) (audio.WAVInfo, []int16, []int16) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, ch, err := audio.ParseWAVChannels(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if info.Channels != 2 || info.SampleRate != audio.SampleRate {
		t.Fatalf("%s: %+v, want stereo at %d Hz", path, info, audio.SampleRate)
	}
	return info, ch[0], ch[1]
}

// A call with baresip recorded from its answer (recordCalls): the file holds the
// engine's tone on the left and baresip's on the right; a file played into the call
// (audio.play toPeer, 48 kHz stereo) is heard by baresip and recorded on the left.
func TestRecordingHoldsBothSidesAndThePlayedFile(t *testing.T) {
	s, recordings := recordingSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	started := s.c.recordingEvent(api.RecordingStarted, 10*time.Second)
	if started.CallID != res.CallID || strings.ContainsAny(started.File, `/\`) || !strings.HasSuffix(started.File, ".wav") {
		t.Errorf("call.recording %+v", started)
	}
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	s.c.awaitFarAudio(5 * time.Second)
	s.c.mustDo(api.CmdAudioPlay.Name, map[string]any{"file": "prompt.wav", "toPeer": true}, nil)
	s.c.next(api.EvAudioPlay, 5*time.Second, func(d json.RawMessage) bool { return strings.Contains(string(d), `"ended"`) })
	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	stopped := s.c.recordingEvent(api.RecordingStopped, 5*time.Second)
	if stopped.File != started.File {
		t.Errorf("stopped %q, started %q", stopped.File, started.File)
	}
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)

	_, left, right := readStereo(t, filepath.Join(recordings, started.File))
	checkHeard(t, "recording, left (ours)", left, engineHz, playHz)
	checkHeard(t, "recording, right (baresip's)", right, baresipHz)
	if lvl := audio.ToneLevel(right, audio.SampleRate, engineHz); lvl > 0.02 {
		t.Errorf("our tone leaks into the right channel: %.3f", lvl)
	}
	var dec string
	for _, f := range s.bob.RecordedWAVs() {
		if strings.Contains(f, "-dec") {
			dec = f
		}
	}
	if dec == "" {
		t.Fatalf("baresip recorded nothing: %v", s.bob.RecordedWAVs())
	}
	checkHeard(t, "baresip", readWAV(t, dec), engineHz, playHz)
}

// checkHeard requires each of freqs somewhere in pcm: in its loudest second for
// that frequency.
func checkHeard(t *testing.T, what string, pcm []int16, freqs ...float64) {
	t.Helper()
	for _, f := range freqs {
		best := 0.0
		for i := 0; i+audio.SampleRate <= len(pcm); i += audio.SampleRate / 2 {
			best = max(best, audio.ToneLevel(pcm[i:i+audio.SampleRate], audio.SampleRate, f))
		}
		if best < 0.05 {
			t.Errorf("%s: %.0f Hz at %.3f at best, want it heard", what, f, best)
		}
	}
}

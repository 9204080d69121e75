//go:build unix

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
	"github.com/wpservice/wpservice/internal/oggopus"
)

// An Ogg Opus recording (recordFormat ogg) survives the engine being killed, as a
// WAV does (TestRecordingSurvivesSIGKILL): SIGKILL three seconds into a recorded
// call with baresip leaves a .opus file whose pages hold the call up to about the
// last second, decoded with our tone on the left and baresip's on the right.
func TestOggRecordingSurvivesSIGKILL(t *testing.T) {
	if !opus.Available {
		t.Skip("no libopus in a build without cgo")
	}
	s, recordings := recordingSetup(t)
	s.c.mustDo(api.CmdSettingsSet.Name, map[string]any{"recordFormat": api.RecordOgg}, nil)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	started := s.c.recordingEvent(api.RecordingStarted, 10*time.Second)
	if !strings.HasSuffix(started.File, ".opus") {
		t.Errorf("call.recording %+v, want a .opus file", started)
	}
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	s.c.awaitFarAudio(5 * time.Second)
	at := time.Now()
	time.Sleep(3 * time.Second) // the length of the call the file must hold
	if err := s.e.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.e.exited
	recorded := time.Since(at)

	f, err := os.Open(filepath.Join(recordings, started.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, err := oggopus.Read(f)
	if err != nil {
		t.Fatalf("the killed engine's recording: %v", err)
	}
	left, right, err := rec.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(len(left)) * time.Second / audio.SampleRate; got < recorded-1500*time.Millisecond {
		t.Errorf("the killed engine's recording holds %v of a call of at least %v", got, recorded)
	}
	checkHeard(t, "recording, left", left, engineHz)
	checkHeard(t, "recording, right", right, baresipHz)
	if lvl := audio.ToneLevel(right, audio.SampleRate, engineHz); lvl > 0.02 {
		t.Errorf("our tone leaks into the right channel: %.3f", lvl)
	}
}

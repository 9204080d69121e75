//go:build unix

package e2e

import (
	bin "encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// A recording survives the engine being killed: the engine is sent SIGKILL three
// seconds into a recorded call with baresip, and the file is a valid stereo WAV of
// the call up to about the last second, baresip's tone on the right.
func TestRecordingSurvivesSIGKILL(t *testing.T) {
	s, recordings := recordingSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	started := s.c.recordingEvent(api.RecordingStarted, 10*time.Second)
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	s.c.awaitFarAudio(5 * time.Second)
	at := time.Now()
	time.Sleep(3 * time.Second) // the length of the call the file must hold
	if err := s.e.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.e.exited
	recorded := time.Since(at)

	path := filepath.Join(recordings, started.File)
	checkHeaderSizes(t, path)
	info, left, right := readStereo(t, path)
	if got := time.Duration(info.Frames) * time.Second / audio.SampleRate; got < recorded-1500*time.Millisecond {
		t.Errorf("the killed engine's recording holds %v of a call of at least %v", got, recorded)
	}
	checkHeard(t, "recording, left", left, engineHz)
	checkHeard(t, "recording, right", right, baresipHz)
}

// checkHeaderSizes requires the WAV header's sizes to describe the data on disk up to
// its last second, as a player that trusts them (most do) reads it: a header left at
// zero, as at the recording's start, would make the file look empty.
func checkHeaderSizes(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 44 {
		t.Fatalf("%s: %d bytes", path, len(raw))
	}
	le := bin.LittleEndian
	data, onDisk := int(le.Uint32(raw[40:44])), len(raw)-44
	perSecond := 2 * 2 * audio.SampleRate
	if data > onDisk || data < onDisk-3*perSecond/2 || int(le.Uint32(raw[4:8])) != data+36 {
		t.Errorf("header: RIFF size %d, data size %d; %d bytes of data on disk", le.Uint32(raw[4:8]), data, onDisk)
	}
}

package endpoint

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/config"
)

func TestWAVInputLoopsAsTheMicrophone(t *testing.T) {
	want := frame(100)
	e := open(t, config.Audio{Backend: "auto", Input: "wav", InputFile: writeWAV(t, want), Output: "null"})
	got := make([]int16, audio.FrameSamples)
	for i := range 3 { // the file holds one frame: every read is that frame again
		if err := e.Source().ReadFrame(got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("read %d = %v..., want %v...", i, got[:4], want[:4])
		}
	}
	if b := e.Devices().Backend; b != "wav" {
		t.Errorf("backend %q, want wav", b)
	}
}

// A recording is a valid WAV of what was played about once a second, before Close,
// so a killed engine still leaves the call on disk.
func TestWAVOutputIsFlushedWhileRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	e := open(t, config.Audio{Backend: "auto", Input: "null", Output: "wav", OutputFile: path})
	write := func(n int) {
		for range n {
			if err := e.Sink().WriteFrame(frame(7)); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(flushEvery - 1)
	if n := len(readWAV(t, path)); n != 0 {
		t.Fatalf("%d samples on disk before the first flush, want 0 (buffered)", n)
	}
	write(1)
	if n, want := len(readWAV(t, path)), flushEvery*audio.FrameSamples; n != want {
		t.Fatalf("%d samples on disk after %d frames, want %d", n, flushEvery, want)
	}
	write(3)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	pcm := readWAV(t, path)
	if n, want := len(pcm), (flushEvery+3)*audio.FrameSamples; n != want {
		t.Fatalf("%d samples on disk after Close, want %d", n, want)
	}
	if !slices.Equal(pcm[:audio.FrameSamples], frame(7)) {
		t.Errorf("recorded %v..., want %v...", pcm[:4], frame(7)[:4])
	}
	// After Close the speaker drops frames, without an error and without touching the file.
	write(1)
	if n := len(readWAV(t, path)); n != (flushEvery+3)*audio.FrameSamples {
		t.Errorf("%d samples on disk after a write past Close", n)
	}
}

func TestNullIsSilenceAndDiscard(t *testing.T) {
	e := open(t, config.Audio{Backend: "auto", Input: "null", Output: "null"})
	pcm := frame(1)
	if err := e.Source().ReadFrame(pcm); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(pcm, func(s int16) bool { return s != 0 }) {
		t.Errorf("null microphone read %v..., want silence", pcm[:4])
	}
	if err := e.Sink().WriteFrame(frame(1)); err != nil {
		t.Fatal(err)
	}
	if d := e.Devices(); d.Backend != "null" || len(d.Inputs) != 0 || len(d.Outputs) != 0 {
		t.Errorf("devices = %+v, want the null backend and no devices", d)
	}
}

// A sound device plays the ring tone in the speaker; a WAV or null speaker records
// call audio only.
func TestRinger(t *testing.T) {
	if r := open(t, nullDevice()).Ringer(); r != nil {
		t.Errorf("device ringer = %T, want nil (mixed into the speaker)", r)
	}
	rec := filepath.Join(t.TempDir(), "out.wav")
	for _, cfg := range []config.Audio{
		{Backend: "auto", Input: "null", Output: "null"},
		{Backend: "auto", Input: "null", Output: "wav", OutputFile: rec},
	} {
		if r := open(t, cfg).Ringer(); r == nil {
			t.Errorf("%s ringer is the speaker, want a sink of its own", cfg.Output)
		}
	}
}

func TestOpenRefusesUnusableWAVFiles(t *testing.T) {
	dir := t.TempDir()
	for _, cfg := range []config.Audio{
		{Backend: "auto", Input: "wav", InputFile: filepath.Join(dir, "missing.wav"), Output: "null"},
		{Backend: "auto", Input: "null", Output: "wav", OutputFile: filepath.Join(dir, "no", "such", "dir.wav")},
	} {
		if e, err := Open(cfg, testLogger(t)); err == nil {
			_ = e.Close()
			t.Errorf("Open(%+v) succeeded", cfg)
		}
	}
}

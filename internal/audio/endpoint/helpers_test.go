package endpoint

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/config"
)

// open opens an endpoint on cfg and closes it when the test ends.
func open(t *testing.T, cfg config.Audio) *Endpoint {
	t.Helper()
	e, err := Open(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// nullDevice is a sound device on miniaudio's null backend: no hardware behind it.
func nullDevice() config.Audio {
	return config.Audio{Backend: "null", Input: "device", Output: "device", InputDevice: "default", OutputDevice: "default"}
}

// frame returns one frame whose samples start at first and count up.
func frame(first int16) []int16 {
	pcm := make([]int16, audio.FrameSamples)
	for i := range pcm {
		pcm[i] = first + int16(i)
	}
	return pcm
}

// writeWAV writes pcm as an 8 kHz WAV file in a temporary directory.
func writeWAV(t *testing.T, pcm []int16) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.wav")
	w, err := audio.CreateWAV(path, audio.SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// readWAV returns the samples of the WAV file at path as it is on disk now.
func readWAV(t *testing.T, path string) []int16 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, pcm, err := audio.ParseWAV(f)
	if err != nil {
		t.Fatalf("%s is not a valid WAV now: %v", path, err)
	}
	return pcm
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

package endpoint

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/audio/device"
)

// The sound device is open only while the engine uses it, on the sides it uses, and
// the same need twice does not reopen it.
func TestUseOpensTheDeviceOnlyWhileNeeded(t *testing.T) {
	e := open(t, nullDevice())
	check := func(step string, want device.Sides) *device.Duplex {
		t.Helper()
		e.mu.Lock()
		d, sides := e.duplex, e.sides
		e.mu.Unlock()
		if (d != nil) != (want != 0) || sides != want {
			t.Fatalf("%s: device open %v on sides %b, want sides %b", step, d != nil, sides, want)
		}
		return d
	}
	check("after Open", 0)
	for _, step := range []struct {
		name              string
		capture, playback bool
		want              device.Sides
	}{
		{"a level meter", true, false, device.Capture},
		{"released", false, false, 0},
		{"ringing", false, true, device.Playback},
		{"a call", true, true, device.Both},
	} {
		if err := e.Use(step.capture, step.playback); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		check(step.name, step.want)
	}
	d := check("a call", device.Both)
	if err := e.Use(true, true); err != nil {
		t.Fatal(err)
	}
	if check("the same need again", device.Both) != d {
		t.Error("the same need reopened the device")
	}
	if b := e.Devices().Backend; b != "null" {
		t.Errorf("backend %q while open, want null", b)
	}
	if err := e.Use(false, false); err != nil {
		t.Fatal(err)
	}
	check("released again", 0)
	if err := d.ReadFrame(make([]int16, audio.FrameSamples)); err == nil {
		t.Error("the released device still reads: it was not closed")
	}
	if b := e.Devices().Backend; b != "null" {
		t.Errorf("backend %q once released, want the last one used (null)", b)
	}
}

// WAV and null sides need no device: they work whatever Use says, and the recording
// stays one file across uses.
func TestUseLeavesWAVAndNullAsTheyAre(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	cfg := nullDevice()
	cfg.Output, cfg.OutputFile = "wav", path
	e := open(t, cfg)
	for _, use := range []bool{true, false, true} {
		if err := e.Use(use, use); err != nil {
			t.Fatal(err)
		}
		if err := e.Sink().WriteFrame(frame(3)); err != nil {
			t.Fatal(err)
		}
	}
	e.mu.Lock()
	sides := e.sides
	e.mu.Unlock()
	if sides != device.Capture {
		t.Errorf("sides %b with a WAV speaker, want capture only", sides)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if pcm := readWAV(t, path); len(pcm) != 3*audio.FrameSamples || !slices.Equal(pcm[:4], frame(3)[:4]) {
		t.Errorf("recording of %d samples, want the three frames written across uses", len(pcm))
	}
}

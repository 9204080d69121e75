package audio

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A stereo WAVWriter's file says two channels, and ParseWAVChannels gives each back
// apart, as written; ParseWAV gives their average.
func TestStereoWAVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWAVWriter(f, 16000, 2)
	if err != nil {
		t.Fatal(err)
	}
	left, right := []int16{1, 2, 3, -4}, []int16{100, -200, 300, 400}
	var frames []int16
	for i := range left {
		frames = append(frames, left[i], right[i])
	}
	if err := w.WriteFrame(frames); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, _ := os.Open(path)
	defer r.Close()
	info, ch, err := ParseWAVChannels(r)
	if err != nil {
		t.Fatal(err)
	}
	if info.Channels != 2 || info.SampleRate != 16000 || info.Frames != 4 {
		t.Fatalf("info %+v", info)
	}
	if !slices.Equal(ch[0], left) || !slices.Equal(ch[1], right) {
		t.Errorf("channels %v %v, want %v %v", ch[0], ch[1], left, right)
	}
	r.Seek(0, 0)
	if _, mono, _ := ParseWAV(r); mono[1] != -99 {
		t.Errorf("downmix %v, want the channels' average", mono)
	}
	if _, err := NewWAVWriter(mustCreate(t), 8000, 0); err == nil {
		t.Error("a WAV of no channel")
	}
}

func mustCreate(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "x.wav"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

package main

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// writeToneThenSilence writes 500 ms of a 1 kHz tone followed by 500 ms of
// silence at 8 kHz.
func writeToneThenSilence(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tone-silence.wav")
	w, err := audio.CreateWAV(path, audio.SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	src := audio.NewToneSource(1000, toneAmplitude)
	frame := make([]int16, audio.FrameSamples)
	frames := int(500 * time.Millisecond / (audio.FrameMillis * time.Millisecond))
	for i := range 2 * frames {
		clear(frame)
		if i < frames {
			if err := src.ReadFrame(frame); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAnalyseWAV(t *testing.T) {
	path := writeToneThenSilence(t)
	sineRMS := toneAmplitude / math.Sqrt2
	tests := []struct {
		name         string
		fromMs, toMs int
		wantHz       float64
		wantRMS      float64
		wantMs       int
	}{
		{"the tone", 0, 500, 1000, sineRMS, 500},
		{"inside the tone", 100, 300, 1000, sineRMS, 200},
		{"the silence", 500, 1000, 0, 0, 500},
		{"to the end", 500, 0, 0, 0, 500},
		{"past the end is clipped", 900, 5000, 0, 0, 100},
		{"half and half", 250, 750, 1000, sineRMS / math.Sqrt2, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := analyseWAV(path, tt.fromMs, tt.toMs)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.Hz-tt.wantHz) > scanStepHz || math.Abs(got.RMS-tt.wantRMS) > 0.02*sineRMS || got.Ms != tt.wantMs {
				t.Errorf("got %+v, want %v Hz, RMS %.0f, %d ms", got, tt.wantHz, tt.wantRMS, tt.wantMs)
			}
			if tt.wantRMS == 0 && got.DBFS != audio.MinDBFS {
				t.Errorf("silence at %v dBFS, want %v", got.DBFS, audio.MinDBFS)
			}
		})
	}
}

func TestAnalyseWAVErrors(t *testing.T) {
	dir := t.TempDir()
	notWAV := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notWAV, []byte("not a wav file at all, just text"), 0o644); err != nil {
		t.Fatal(err)
	}
	wav := writeToneThenSilence(t)
	tests := []struct {
		name         string
		path         string
		fromMs, toMs int
		want         error
	}{
		{"missing", filepath.Join(dir, "missing.wav"), 0, 0, fs.ErrNotExist},
		{"not a WAV", notWAV, 0, 0, audio.ErrNotWAV},
		{"starts past the end", wav, 1000, 0, errSegment},
		{"ends before it starts", wav, 300, 200, errSegment},
		{"empty", wav, 300, 300, errSegment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := analyseWAV(tt.path, tt.fromMs, tt.toMs); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

package audio

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestResample(t *testing.T) {
	tests := []struct {
		name       string
		from, to   int
		freq       float64 // tone in the input
		checkFreq  float64 // where to measure the output
		minL, maxL float64 // expected level there (input amplitude 0.5)
	}{
		{"48k to 8k keeps the pass band", 48000, 8000, 1000, 1000, 0.49, 0.51},
		{"44.1k to 8k keeps the pass band", 44100, 8000, 3000, 3000, 0.48, 0.51},
		{"11.025k to 8k keeps the pass band", 11025, 8000, 440, 440, 0.49, 0.51},
		{"16k to 8k", 16000, 8000, 2000, 2000, 0.49, 0.51},
		{"8k to 16k", 8000, 16000, 1000, 1000, 0.49, 0.51},
		{"48k to 8k removes 6 kHz instead of aliasing it to 2 kHz", 48000, 8000, 6000, 2000, 0, 0.002},
		{"44.1k to 8k removes 5 kHz instead of aliasing it to 3 kHz", 44100, 8000, 5000, 3000, 0, 0.002},
		{"16k to 8k removes 7 kHz instead of aliasing it to 1 kHz", 16000, 8000, 7000, 1000, 0, 0.002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sine(tt.freq, tt.from, 16384, tt.from/2) // 500 ms
			out := Resample(in, tt.from, tt.to)
			if want := len(in) * tt.to / tt.from; len(out) != want {
				t.Fatalf("%d samples out, want %d", len(out), want)
			}
			// Measure away from the edges, where the zero padding shows.
			mid := out[len(out)/8 : len(out)*7/8]
			if level := ToneLevel(mid, tt.to, tt.checkFreq); level < tt.minL || level > tt.maxL {
				t.Errorf("level at %v Hz = %.4f, want in [%v, %v]", tt.checkFreq, level, tt.minL, tt.maxL)
			}
		})
	}
}

func TestResampleEdgeCases(t *testing.T) {
	in := []int16{1, 2, 3}
	same := Resample(in, 8000, 8000)
	if !slices.Equal(same, in) {
		t.Errorf("same rate: %v", same)
	}
	same[0] = 99
	if in[0] != 1 {
		t.Error("same rate returned the input slice, not a copy")
	}
	if out := Resample(in, 0, 8000); out != nil {
		t.Errorf("rate 0: %v", out)
	}
	if out := Resample(nil, 44100, 8000); len(out) != 0 {
		t.Errorf("empty input: %v", out)
	}
	// Full-scale square waves overshoot when filtered: the output must clip, not wrap.
	square := make([]int16, 4800)
	for i := range square {
		square[i] = 32767
		if (i/24)%2 == 1 {
			square[i] = -32768
		}
	}
	out := Resample(square, 48000, 8000)
	for i := 1; i < len(out); i++ {
		if d := int(out[i]) - int(out[i-1]); d > 60000 || d < -60000 {
			t.Fatalf("jump of %d at %d: overflow wrapped", d, i)
		}
	}
}

func TestOpenWAVResamplesAndDownmixes(t *testing.T) {
	// 44.1 kHz stereo: 1 kHz on the left, silence on the right.
	left := sine(1000, 44100, 20000, 44100)
	interleaved := make([]int16, 0, 2*len(left))
	for _, s := range left {
		interleaved = append(interleaved, s, 0)
	}
	path := filepath.Join(t.TempDir(), "stereo.wav")
	file := wavFile{rate: 44100, channels: 2, samples: interleaved, dataSize: -1}
	if err := os.WriteFile(path, file.bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := OpenWAV(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if info := src.Info(); info.SampleRate != 44100 || info.Channels != 2 || info.Frames != 44100 {
		t.Errorf("Info() = %+v", info)
	}
	if src.Len() != SampleRate {
		t.Errorf("Len() = %d, want %d (one second at 8 kHz)", src.Len(), SampleRate)
	}
	pcm := make([]int16, src.Len())
	if err := src.ReadFrame(pcm); err != nil {
		t.Fatal(err)
	}
	if f := DominantFrequency(pcm, SampleRate, 100, 3900, 10); f != 1000 {
		t.Errorf("dominant frequency %v, want 1000", f)
	}
	// Downmix halves the level: 20000/2/32768.
	if level := ToneLevel(pcm[800:7200], SampleRate, 1000); level < 0.30 || level > 0.31 {
		t.Errorf("level %.3f, want 0.305", level)
	}
}

func TestWAVSourceEndsInSilenceOrLoops(t *testing.T) {
	samples := []int16{1, 2, 3, 4, 5}
	info := WAVInfo{SampleRate: SampleRate, Channels: 1, BitsPerSample: 16, Frames: 5}

	once := NewWAVSource(info, samples, false)
	frame := []int16{9, 9, 9, 9, 9, 9, 9, 9}
	if err := once.ReadFrame(frame); err != nil || !slices.Equal(frame, []int16{1, 2, 3, 4, 5, 0, 0, 0}) {
		t.Errorf("first frame %v, %v", frame, err)
	}
	if !once.Done() {
		t.Error("Done() = false after the end")
	}
	once.Rewind()
	if once.Done() {
		t.Error("Done() = true after Rewind")
	}

	loop := NewWAVSource(info, samples, true)
	if err := loop.ReadFrame(frame); err != nil || !slices.Equal(frame, []int16{1, 2, 3, 4, 5, 1, 2, 3}) {
		t.Errorf("looping frame %v, %v", frame, err)
	}
	if err := loop.ReadFrame(frame); err != nil || !slices.Equal(frame, []int16{4, 5, 1, 2, 3, 4, 5, 1}) {
		t.Errorf("second looping frame %v, %v", frame, err)
	}
	if loop.Done() {
		t.Error("a looping source reported Done")
	}

	empty := NewWAVSource(info, nil, true)
	if err := empty.ReadFrame(frame); err != nil || slices.ContainsFunc(frame, func(s int16) bool { return s != 0 }) {
		t.Errorf("empty looping source: %v, %v", frame, err)
	}
}

func TestOpenWAVErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenWAV(filepath.Join(dir, "missing.wav"), false); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.wav")
	if err := os.WriteFile(bad, []byte("not a wav file at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenWAV(bad, false); err == nil {
		t.Error("OpenWAV accepted a text file")
	}
}

func BenchmarkResample44100To8000(b *testing.B) {
	in := sine(1000, 44100, 10000, 44100)
	b.ReportAllocs()
	for b.Loop() {
		Resample(in, 44100, 8000)
	}
}

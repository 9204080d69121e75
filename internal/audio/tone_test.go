package audio

import (
	"slices"
	"testing"
)

func TestToneSourceFrequencyAndAmplitude(t *testing.T) {
	for _, freq := range []float64{350, 440, 1000, 2600} {
		src := NewToneSource(freq, 8000)
		pcm := make([]int16, 10*FrameSamples)
		for f := range 10 {
			if err := src.ReadFrame(pcm[f*FrameSamples : (f+1)*FrameSamples]); err != nil {
				t.Fatal(err)
			}
		}
		if got := DominantFrequency(pcm, SampleRate, 100, 3900, 5); got != freq {
			t.Errorf("tone %v Hz: dominant frequency %v", freq, got)
		}
		if level := ToneLevel(pcm, SampleRate, freq); level < 0.24 || level > 0.25 {
			t.Errorf("tone %v Hz: level %.4f, want 8000/32768 = 0.244", freq, level)
		}
		if peak := slices.Max(pcm); peak < 7990 || peak > 8000 {
			t.Errorf("tone %v Hz: peak %d, want about 8000", freq, peak)
		}
	}
}

// Frames read one by one must equal the same tone read in one go: no phase jump at
// frame boundaries, whatever the frame size.
func TestToneSourcePhaseIsContinuous(t *testing.T) {
	whole := make([]int16, 4000)
	if err := NewToneSource(697, 10000).ReadFrame(whole); err != nil {
		t.Fatal(err)
	}
	framed := make([]int16, 0, len(whole))
	src := NewToneSource(697, 10000)
	for _, size := range []int{160, 1, 77, 160, 3000, 602} {
		frame := make([]int16, size)
		if err := src.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
		framed = append(framed, frame...)
	}
	for i := range whole {
		if d := int(whole[i]) - int(framed[i]); d < -1 || d > 1 {
			t.Fatalf("sample %d: framed %d, whole %d", i, framed[i], whole[i])
		}
	}
}

func TestSilenceAndDiscard(t *testing.T) {
	pcm := []int16{1, 2, 3}
	if err := (Silence{}).ReadFrame(pcm); err != nil || !slices.Equal(pcm, []int16{0, 0, 0}) {
		t.Errorf("Silence.ReadFrame = %v, %v", pcm, err)
	}
	if err := (Discard{}).WriteFrame(pcm); err != nil {
		t.Errorf("Discard.WriteFrame: %v", err)
	}
	var _ Source = Silence{}
	var _ Sink = Discard{}
}

package audio

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// Every tone of every plan plays its cadence: during each step its frequencies are
// there at the plan's level and nothing is there between bursts, over two cycles.
func TestTonePlansPlayTheirCadence(t *testing.T) {
	if got := slices.Sorted(maps.Keys(TonePlans)); !slices.Equal(got, TonePlanNames()) {
		t.Fatalf("TonePlanNames %v, plans %v", TonePlanNames(), got)
	}
	for name, plan := range TonePlans {
		for kind, tone := range map[string]Tone{"dial": plan.Dial, "ringback": plan.Ringback, "busy": plan.Busy, "congestion": plan.Congestion, "callWaiting": plan.CallWaiting} {
			t.Run(fmt.Sprintf("%s/%s", name, kind), func(t *testing.T) {
				checkCadence(t, tone)
			})
		}
	}
}

func checkCadence(t *testing.T, tone Tone) {
	t.Helper()
	g := NewToneGen(tone)
	total := 0
	for _, s := range tone.Steps {
		total += s.Millis * SampleRate / 1000
	}
	pcm := make([]int16, 2*total)
	for i := 0; i < len(pcm); i += FrameSamples { // frame by frame, as the pump reads it
		g.ReadFrame(pcm[i:min(len(pcm), i+FrameSamples)])
	}
	want := float64(tone.Amplitude) / FullScale
	pos := 0
	for cycle := range 2 {
		for i, s := range tone.Steps {
			n := s.Millis * SampleRate / 1000
			edge := SampleRate / 100 // 10 ms off each edge
			win := pcm[pos+edge : pos+n-edge]
			pos += n
			if len(s.Freqs) == 0 {
				if rms := RMS(win); rms != 0 {
					t.Errorf("cycle %d step %d (%d ms off): RMS %.1f, want silence", cycle, i, s.Millis, rms)
				}
				continue
			}
			for _, f := range s.Freqs {
				if lvl := ToneLevel(win, SampleRate, f); lvl < 0.8*want || lvl > 1.2*want {
					t.Errorf("cycle %d step %d: %.0f Hz at %.3f, want %.3f", cycle, i, f, lvl, want)
				}
			}
		}
	}
}

// A DTMF key's feedback is its row and column tones, and nothing else of the
// keypad.
func TestDTMFToneIsTheKeysPair(t *testing.T) {
	for _, key := range []byte("0123456789*#ABCDd") {
		tone, ok := DTMFTone(key, 100)
		if !ok {
			t.Fatalf("%q is not a key", key)
		}
		pcm := make([]int16, SampleRate/10)
		NewToneGen(tone).ReadFrame(pcm)
		row, col, _ := DTMFFreqs(key)
		for _, f := range append(dtmfRows[:], dtmfCols[:]...) {
			lvl := ToneLevel(pcm, SampleRate, f)
			if sounds := f == row || f == col; sounds != (lvl > 0.05) {
				t.Errorf("key %q: %.0f Hz at %.3f", key, f, lvl)
			}
		}
	}
	if _, ok := DTMFTone('x', 100); ok {
		t.Error("'x' is a key")
	}
}

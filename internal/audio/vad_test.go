package audio

import "testing"

// vadRun feeds the detector pcm frame by frame and returns its decisions.
func vadRun(v *VAD, pcm []int16) []bool {
	var out []bool
	for f := pcm; len(f) >= FrameSamples; f = f[FrameSamples:] {
		out = append(out, v.Voice(f[:FrameSamples]))
	}
	return out
}

func count(d []bool) (voice int) {
	for _, b := range d {
		if b {
			voice++
		}
	}
	return voice
}

func TestVADDigitalSilenceIsNeverVoice(t *testing.T) {
	v := NewVAD()
	if n := count(vadRun(v, make([]int16, 100*FrameSamples))); n != 0 {
		t.Fatalf("%d of 100 silent frames taken for voice", n)
	}
}

// TestVADQuietRoomIsNeverVoice: a room at about -60 dBFS stands 10 dB above
// the floor assumed before any is measured, yet no speech is that quiet: it
// is silence from the first frame.
func TestVADQuietRoomIsNeverVoice(t *testing.T) {
	v := NewVAD()
	if n := count(vadRun(v, noise(7, 60, 100*FrameSamples))); n != 0 {
		t.Fatalf("%d of 100 frames of a quiet room taken for voice", n)
	}
}

func TestVADToneIsVoiceFromItsFirstFrameAndHeld(t *testing.T) {
	v := NewVAD()
	vadRun(v, noise(1, 60, 50*FrameSamples)) // a quiet room first (about -58 dBFS)
	// 5 s of a 1 kHz tone at -20 dBFS: long enough for the floor to reach it.
	d := vadRun(v, sine(1000, SampleRate, 3277, 250*FrameSamples))
	if n := count(d); n != len(d) {
		t.Fatalf("tone: %d of %d frames voice, want all (first %v)", n, len(d), d[:5])
	}
}

func TestVADSteadyNoiseBecomesSilenceWithinTwoSeconds(t *testing.T) {
	v := NewVAD()
	// White noise at about -35 dBFS, the fan of a noisy office.
	d := vadRun(v, noise(2, 1000, 250*FrameSamples))
	if n := count(d[100:]); n != 0 {
		t.Fatalf("steady noise: %d of the %d frames after 2 s still voice", n, len(d)-100)
	}
	if !d[0] {
		t.Fatal("noise louder than a quiet room at the start of a call was not voice at first")
	}
	if got := v.NoiseDBFS(); got < -38 || got > -32 {
		t.Fatalf("the noise's level %.1f dBFS, want about -35", got)
	}
}

// TestVADToneBurstsOverNoiseKeepHangover: speech-like bursts over steady
// noise are voice, the pauses silence after the hangover, and the hangover
// keeps the 200 ms after each burst.
func TestVADToneBurstsOverNoiseKeepHangover(t *testing.T) {
	v := NewVAD()
	bg := noise(3, 300, 150*FrameSamples) // about -45 dBFS
	vadRun(v, bg[:100*FrameSamples])      // the floor learns the background
	for burst := range 3 {
		tone := sine(440, SampleRate, 6000, 25*FrameSamples)
		for i := range tone {
			tone[i] += bg[i] / 2
		}
		if d := vadRun(v, tone); count(d) != len(d) {
			t.Fatalf("burst %d: %d of %d frames voice", burst, count(d), len(d))
		}
		d := vadRun(v, bg[:40*FrameSamples])
		for i, b := range d {
			if want := i < vadHangover; b != want {
				t.Fatalf("burst %d: pause frame %d voice %v, want %v (hangover %d frames)", burst, i, b, want, vadHangover)
			}
		}
	}
}

func TestPredictionGain(t *testing.T) {
	if g := predictionGain(sine(1000, SampleRate, 8000, FrameSamples)); g < 40 {
		t.Errorf("sine: %.1f dB, want a large gain", g)
	}
	if g := predictionGain(noise(4, 8000, FrameSamples)); g > 1 {
		t.Errorf("white noise: %.1f dB, want about 0", g)
	}
	if g := predictionGain(make([]int16, FrameSamples)); g != 0 {
		t.Errorf("silence: %.1f dB, want 0", g)
	}
}

func TestVADAllocatesNothing(t *testing.T) {
	v := NewVAD()
	pcm := noise(5, 2000, FrameSamples)
	if n := testing.AllocsPerRun(100, func() { v.Voice(pcm) }); n != 0 {
		t.Fatalf("%v allocations per frame", n)
	}
}

func BenchmarkVAD(b *testing.B) {
	v := NewVAD()
	speech := sine(300, SampleRate, 5000, FrameSamples)
	bg := noise(6, 200, FrameSamples)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%3 == 0 {
			v.Voice(bg)
		} else {
			v.Voice(speech)
		}
	}
}

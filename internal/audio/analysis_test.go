package audio

import (
	"math"
	"testing"
)

func TestToneLevel(t *testing.T) {
	const n = 1600 // 200 ms at 8 kHz
	twoTones := sine(697, SampleRate, 16384, n)
	Mix(twoTones, sine(1209, SampleRate, 8192, n))
	tests := []struct {
		name     string
		pcm      []int16
		rate     int // 0 means SampleRate
		freq     float64
		min, max float64
	}{
		{"full-scale sine at its frequency", sine(1000, SampleRate, 32767, n), 0, 1000, 0.99, 1.01},
		{"half-scale sine", sine(1000, SampleRate, 16384, n), 0, 1000, 0.49, 0.51},
		{"off-bin frequency", sine(697.3, SampleRate, 32767, n), 0, 697.3, 0.99, 1.01},
		{"other tone 50 Hz away", sine(1050, SampleRate, 32767, n), 0, 1000, 0, 0.01},
		{"other tone far away", sine(3000, SampleRate, 32767, n), 0, 440, 0, 0.001},
		{"low tone of a DTMF pair", twoTones, 0, 697, 0.49, 0.51},
		{"high tone of a DTMF pair", twoTones, 0, 1209, 0.24, 0.26},
		{"absent tone in a DTMF pair", twoTones, 0, 941, 0, 0.01},
		{"white noise", noise(1, 32767, n), 0, 1000, 0, 0.05},
		{"silence", make([]int16, n), 0, 1000, 0, 0},
		{"16 kHz rate", sine(5000, 16000, 32767, 3200), 16000, 5000, 0.99, 1.01},
		{"at Nyquist is rejected", sine(1000, 8000, 32767, n), 8000, 4000, 0, 0},
		{"zero frequency is rejected", sine(1000, SampleRate, 32767, n), 0, 0, 0, 0},
		{"one sample is rejected", []int16{32767}, 0, 1000, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rate := tt.rate
			if rate == 0 {
				rate = SampleRate
			}
			got := ToneLevel(tt.pcm, rate, tt.freq)
			if got < tt.min || got > tt.max {
				t.Errorf("ToneLevel(%v Hz) = %.4f, want in [%v, %v]", tt.freq, got, tt.min, tt.max)
			}
		})
	}
}

func TestDominantFrequency(t *testing.T) {
	const n = 1600
	tests := []struct {
		name string
		pcm  []int16
		want float64
	}{
		{"440 Hz", sine(440, SampleRate, 10000, n), 440},
		{"1 kHz in noise", addNoise(sine(1000, SampleRate, 8000, n), 4000), 1000},
		{"stronger of two tones", mixed(sine(700, SampleRate, 6000, n), sine(1900, SampleRate, 12000, n)), 1900},
		{"near the top of the band", sine(3400, SampleRate, 10000, n), 3400},
		{"silence", make([]int16, n), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DominantFrequency(tt.pcm, SampleRate, 100, 3900, 10); got != tt.want {
				t.Errorf("DominantFrequency = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDominantFrequencyRejectsBadRanges(t *testing.T) {
	pcm := sine(1000, SampleRate, 10000, 800)
	for _, r := range [][3]float64{{2000, 1000, 10}, {100, 3000, 0}, {100, 3000, -5}, {math.NaN(), 3000, 10}} {
		if got := DominantFrequency(pcm, SampleRate, r[0], r[1], r[2]); got != 0 {
			t.Errorf("DominantFrequency(range %v) = %v, want 0", r, got)
		}
	}
}

func TestRMSAndDBFS(t *testing.T) {
	square := make([]int16, 800)
	for i := range square {
		square[i] = 32767
		if i%2 == 1 {
			square[i] = -32767
		}
	}
	halfSquare := slicesMap(square, func(s int16) int16 { return s / 2 })
	tests := []struct {
		name     string
		pcm      []int16
		rms      float64
		dbfs     float64
		rmsSlack float64
	}{
		{"full-scale square", square, 32767, 0, 0.5},
		{"half-scale square", halfSquare, 16383, -6.02, 0.5},
		{"full-scale sine", sine(1000, SampleRate, 32767, 800), 32767 / math.Sqrt2, -3.01, 5},
		{"quiet sine", sine(1000, SampleRate, 328, 800), 328 / math.Sqrt2, -43.0, 0.5},
		{"silence", make([]int16, 800), 0, MinDBFS, 0},
		{"empty", nil, 0, MinDBFS, 0},
		{"one LSB", []int16{1, -1}, 1, -90.31, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RMS(tt.pcm); math.Abs(got-tt.rms) > tt.rmsSlack {
				t.Errorf("RMS = %.2f, want %.2f ± %v", got, tt.rms, tt.rmsSlack)
			}
			if got := DBFS(tt.pcm); math.Abs(got-tt.dbfs) > 0.05 {
				t.Errorf("DBFS = %.2f, want %.2f", got, tt.dbfs)
			}
		})
	}
}

func addNoise(pcm []int16, amp int) []int16 {
	Mix(pcm, noise(7, amp, len(pcm)))
	return pcm
}

func mixed(a, b []int16) []int16 {
	Mix(a, b)
	return a
}

func slicesMap(in []int16, f func(int16) int16) []int16 {
	out := make([]int16, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// The leakage bound ToneLevel documents: with N samples a tone more than 2 bins
// (2·rate/N Hz) away reads below 3%, more than 4 bins away below 0.5%.
func TestToneLevelLeakageBound(t *testing.T) {
	const n = 400
	bin := float64(SampleRate) / n
	for _, tt := range []struct{ fromBins, limit float64 }{{2, 0.03}, {4, 0.005}} {
		for d := tt.fromBins; d < tt.fromBins+6; d += 0.1 {
			for _, sign := range []float64{-1, 1} {
				other := 1000 + sign*d*bin
				if level := ToneLevel(sine(other, SampleRate, 32767, n), SampleRate, 1000); level >= tt.limit {
					t.Errorf("tone at %.1f Hz (%.1f bins away) reads %.4f at 1000 Hz, want < %v", other, d, level, tt.limit)
				}
			}
		}
	}
}

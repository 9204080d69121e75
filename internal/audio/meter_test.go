package audio

import (
	"math"
	"slices"
	"testing"
)

func TestMeterMatchesDBFS(t *testing.T) {
	tests := []struct {
		name   string
		frames [][]int16
		want   float64
	}{
		{"nothing written", nil, MinDBFS},
		{"digital silence", [][]int16{make([]int16, FrameSamples)}, MinDBFS},
		{"full-scale square", [][]int16{{-32768, -32768, -32768, -32768}}, 0},
		{"full-scale sine", [][]int16{sine(1000, SampleRate, 32767, 800)}, -3.01},
		{"-20 dBFS sine over five frames", splitFrames(sine(1000, SampleRate, 3277, 800)), -23.01},
		{"loud then silent halves the power", [][]int16{sine(1000, SampleRate, 3277, 800), make([]int16, 800)}, -26.02},
		{"one LSB", [][]int16{{1, -1, 1, -1}}, 20 * math.Log10(1/FullScale)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Meter
			for _, f := range tt.frames {
				m.Write(f)
			}
			if got := m.DBFS(); math.Abs(got-tt.want) > 0.02 {
				t.Errorf("Meter.DBFS = %.3f, want %.3f", got, tt.want)
			}
			if joined := slices.Concat(tt.frames...); len(joined) > 0 {
				if got, want := m.DBFS(), DBFS(joined); math.Abs(got-want) > 1e-9 {
					t.Errorf("Meter.DBFS = %v, DBFS of the same samples = %v", got, want)
				}
			}
		})
	}
}

func TestMeterReset(t *testing.T) {
	var m Meter
	m.Write(sine(1000, SampleRate, 32767, FrameSamples))
	if m.Samples() != FrameSamples {
		t.Fatalf("Samples = %d, want %d", m.Samples(), FrameSamples)
	}
	m.Reset()
	if m.Samples() != 0 || m.DBFS() != MinDBFS {
		t.Errorf("after Reset: %d samples, %.1f dBFS", m.Samples(), m.DBFS())
	}
	m.Write(sine(1000, SampleRate, 3277, 800))
	if got := m.DBFS(); math.Abs(got+23.01) > 0.02 {
		t.Errorf("the window after Reset reads %.2f dBFS, want -23.01 (the loud window must not leak in)", got)
	}
}

func splitFrames(pcm []int16) [][]int16 {
	var out [][]int16
	for len(pcm) > 0 {
		n := min(FrameSamples, len(pcm))
		out = append(out, pcm[:n])
		pcm = pcm[n:]
	}
	return out
}

func BenchmarkMeterWrite(b *testing.B) {
	frame := sine(1000, SampleRate, 8000, FrameSamples)
	var m Meter
	b.ReportAllocs()
	for b.Loop() {
		m.Write(frame)
	}
	if m.DBFS() > 0 {
		b.Fatal("impossible level")
	}
}

func BenchmarkGain(b *testing.B) {
	frame := sine(1000, SampleRate, 8000, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		Gain(frame, 0.5)
		Gain(frame, 2)
	}
}

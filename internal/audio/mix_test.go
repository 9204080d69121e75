package audio

import (
	"slices"
	"testing"
)

func TestMix(t *testing.T) {
	tests := []struct {
		name     string
		dst, src []int16
		want     []int16
	}{
		{"adds", []int16{1, -2, 300}, []int16{10, 20, -30}, []int16{11, 18, 270}},
		{"saturates high", []int16{30000, 32767}, []int16{5000, 1}, []int16{32767, 32767}},
		{"saturates low", []int16{-30000, -32768}, []int16{-5000, -1}, []int16{-32768, -32768}},
		{"opposite extremes", []int16{32767}, []int16{-32768}, []int16{-1}},
		{"shorter src leaves the rest", []int16{1, 2, 3}, []int16{1}, []int16{2, 2, 3}},
		{"longer src is cut", []int16{1}, []int16{1, 2, 3}, []int16{2}},
		{"empty", nil, []int16{1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := slices.Clone(tt.dst)
			Mix(dst, tt.src)
			if !slices.Equal(dst, tt.want) {
				t.Errorf("Mix = %v, want %v", dst, tt.want)
			}
		})
	}
}

func TestGain(t *testing.T) {
	tests := []struct {
		name string
		in   []int16
		gain float64
		want []int16
	}{
		{"unity", []int16{1, -1, 32767}, 1, []int16{1, -1, 32767}},
		{"half rounds to nearest", []int16{3, -3, 100}, 0.5, []int16{2, -2, 50}},
		{"double saturates", []int16{20000, -20000, 100}, 2, []int16{32767, -32768, 200}},
		{"mute", []int16{123, -456}, 0, []int16{0, 0}},
		{"invert", []int16{100, -32768}, -1, []int16{-100, 32767}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pcm := slices.Clone(tt.in)
			Gain(pcm, tt.gain)
			if !slices.Equal(pcm, tt.want) {
				t.Errorf("Gain(%v, %v) = %v, want %v", tt.in, tt.gain, pcm, tt.want)
			}
		})
	}
}

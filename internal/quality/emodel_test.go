package quality

import (
	"math"
	"testing"
	"time"
)

// Published values: G.107's default rating 93.2 (MOS 4.41, Annex B); the other
// rows are G.107's formulas worked by hand: Idd (7-27) is 0.16 at 150 ms, 3.04
// at 200 ms and 24.07 at 400 ms; Ie-eff (7-29) of G.711 with concealment (G.113
// Appendix I: Ie 0, Bpl 25.1) is 15.78 at 5 % random loss and 35.54 at 15 %.
func TestRate(t *testing.T) {
	cases := []struct {
		name   string
		in     Input
		r, mos float64
	}{
		{"G.711 no loss, low delay", Input{Codec: "PCMU", Delay: 40 * time.Millisecond}, 93.2, 4.41},
		{"PCMA equals PCMU", Input{Codec: "pcma", Delay: 100 * time.Millisecond}, 93.2, 4.41},
		{"150 ms", Input{Codec: "PCMU", Delay: 150 * time.Millisecond}, 93.04, 4.41},
		{"200 ms", Input{Codec: "PCMU", Delay: 200 * time.Millisecond}, 90.16, 4.34},
		{"400 ms", Input{Codec: "PCMU", Delay: 400 * time.Millisecond}, 69.13, 3.56},
		{"5 % random loss", Input{Codec: "PCMU", Loss: 5}, 77.42, 3.92},
		{"15 % random loss", Input{Codec: "PCMU", Loss: 15}, 57.66, 2.98},
		{"bursty loss hurts more", Input{Codec: "PCMU", Loss: 5, BurstRatio: 2}, 75.99, 3.86},
		{"unknown codec: no concealment", Input{Codec: "X", Loss: 1}, 75.28, 3.83},
		{"all lost", Input{Codec: "PCMU", Loss: 100}, 17.26, 1.18},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Rate(c.in)
			if math.Abs(got.R-c.r) > 0.05 {
				t.Errorf("R = %.3f, want %.2f", got.R, c.r)
			}
			if math.Abs(got.MOS-c.mos) > 0.01 {
				t.Errorf("MOS = %.3f, want %.2f", got.MOS, c.mos)
			}
		})
	}
}

func TestMOSBounds(t *testing.T) {
	for _, c := range []struct{ r, mos float64 }{{-10, 1}, {0, 1}, {50, 2.58}, {80, 4.02}, {100, 4.5}, {120, 4.5}} {
		if got := MOS(c.r); math.Abs(got-c.mos) > 0.01 {
			t.Errorf("MOS(%v) = %.3f, want %v", c.r, got, c.mos)
		}
	}
}

func TestLossLowersMOS(t *testing.T) {
	prev := 5.0
	for _, loss := range []float64{0, 1, 5, 15, 40} {
		m := Rate(Input{Codec: "PCMU", Loss: loss}).MOS
		if m >= prev {
			t.Fatalf("MOS at %v %% loss = %.2f, not below %.2f", loss, m, prev)
		}
		prev = m
	}
}

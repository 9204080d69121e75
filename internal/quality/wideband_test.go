package quality

import (
	"math"
	"testing"
	"time"
)

// G.107.1's formulas worked by hand with G.113 Appendix IV's Ie,WB 13 for G.722
// at 64 kbit/s and the Bpl 25.1 taken for it: R,WB = 129 - Idd - Ie,eff,WB is 116
// without loss, 129 - 3.04 - 13 = 112.96 at 200 ms, and at 5 % random loss
// Ie,eff,WB = 13 + 82 * 5 / 30.1 = 26.62, R,WB 102.38; MOS-CQEW is G.107's curve
// at R/1.29 (Annex A).
func TestRateWideband(t *testing.T) {
	cases := []struct {
		name   string
		in     Input
		r, mos float64
	}{
		{"G.722 no loss, low delay", Input{Codec: "G722", Delay: 40 * time.Millisecond}, 116, 4.34},
		{"Opus as G.722", Input{Codec: "opus", Delay: 40 * time.Millisecond}, 116, 4.34},
		{"G.722 at 200 ms", Input{Codec: "g722", Delay: 200 * time.Millisecond}, 112.96, 4.28},
		{"G.722, 5 % random loss", Input{Codec: "G722", Loss: 5}, 102.38, 4.00},
		{"G.722, 15 % random loss", Input{Codec: "G722", Loss: 15}, 85.33, 3.41},
		{"G.722, all lost", Input{Codec: "G722", Loss: 100}, 50.45, 2.02},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Rate(c.in)
			if !got.Wideband {
				t.Errorf("%s rated on the narrowband scale", c.in.Codec)
			}
			if math.Abs(got.R-c.r) > 0.05 {
				t.Errorf("R = %.3f, want %.2f", got.R, c.r)
			}
			if math.Abs(got.MOS-c.mos) > 0.01 {
				t.Errorf("MOS = %.3f, want %.2f", got.MOS, c.mos)
			}
		})
	}
}

// Narrowband codecs stay on G.107's scale, and a codec without figures too.
func TestNarrowbandScale(t *testing.T) {
	for _, codec := range []string{"PCMU", "PCMA", "X"} {
		if Rate(Input{Codec: codec}).Wideband {
			t.Errorf("%s rated on the wideband scale", codec)
		}
	}
}

func TestWidebandCodecsKnown(t *testing.T) {
	for _, codec := range []string{"G722", "opus", "OPUS"} {
		if _, ok := CodecImpairment(codec); !ok {
			t.Errorf("%s unknown", codec)
		}
	}
}

func TestMOSWidebandBounds(t *testing.T) {
	for _, c := range []struct{ r, mos float64 }{{-10, 1}, {0, 1}, {64.5, 2.58}, {129, 4.5}, {140, 4.5}} {
		if got := MOSWideband(c.r); math.Abs(got-c.mos) > 0.01 {
			t.Errorf("MOSWideband(%v) = %.3f, want %v", c.r, got, c.mos)
		}
	}
}

func TestLossLowersWidebandMOS(t *testing.T) {
	prev := 5.0
	for _, loss := range []float64{0, 1, 5, 15, 40} {
		m := Rate(Input{Codec: "G722", Loss: loss}).MOS
		if m >= prev {
			t.Fatalf("MOS at %v %% loss = %.2f, not below %.2f", loss, m, prev)
		}
		prev = m
	}
}

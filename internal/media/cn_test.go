package media

import (
	"errors"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

func TestParseComfortNoise(t *testing.T) {
	cn, err := parseComfortNoise([]byte{0x80 | 40, 127, 255, 0})
	if err != nil {
		t.Fatal(err)
	}
	if cn.level != 40 {
		t.Errorf("level %d, want 40 (the reserved bit ignored)", cn.level)
	}
	if want := []float64{0, 1, -127.0 / 128}; cn.order != 3 || cn.coeffs[0] != want[0] || cn.coeffs[1] != want[1] || cn.coeffs[2] != want[2] {
		t.Errorf("coefficients %v, want %v", cn.coeffs[:cn.order], want)
	}
	long := make([]byte, 1+40)
	if cn, err := parseComfortNoise(long); err != nil || cn.order != maxCNOrder {
		t.Errorf("40 coefficients: order %d, %v; want the first %d", cn.order, err, maxCNOrder)
	}
	if _, err := parseComfortNoise(nil); !errors.Is(err, ErrBadPacket) {
		t.Errorf("empty payload: %v, want ErrBadPacket", err)
	}
}

func TestNoiseLevel(t *testing.T) {
	for _, c := range []struct {
		dbfs float64
		want uint8
	}{{0, 0}, {3, 0}, {-40.4, 40}, {-40.6, 41}, {-126.9, 127}, {audio.MinDBFS, 127}, {-300, 127}} {
		if got := noiseLevel(c.dbfs); got != c.want {
			t.Errorf("noiseLevel(%v) = %d, want %d", c.dbfs, got, c.want)
		}
	}
	if got := appendComfortNoise(nil, 200); len(got) != 1 || got[0] != 127 {
		t.Errorf("a level beyond 127 encodes as %x", got)
	}
}

// FuzzComfortNoise: a CN payload is untrusted input. Parsing never panics,
// keeps the level within 7 bits and the model within its bounds, and reads
// back the level we encode.
func FuzzComfortNoise(f *testing.F) {
	f.Add([]byte{40})
	f.Add([]byte{0xff, 0, 255, 127, 12})
	f.Add([]byte{})
	f.Add(make([]byte, 100))
	f.Fuzz(func(t *testing.T, b []byte) {
		cn, err := parseComfortNoise(b)
		if err != nil {
			if len(b) > 0 {
				t.Fatalf("rejected %x: %v", b, err)
			}
			return
		}
		if cn.level > 127 || cn.order > maxCNOrder || cn.order != min(len(b)-1, maxCNOrder) {
			t.Fatalf("%x: level %d, order %d", b, cn.level, cn.order)
		}
		for _, k := range cn.coeffs[:cn.order] {
			if k < -1 || k > 1 {
				t.Fatalf("%x: coefficient %v outside [-1, 1]", b, k)
			}
		}
		again, err := parseComfortNoise(appendComfortNoise(nil, cn.level))
		if err != nil || again.level != cn.level || again.order != 0 {
			t.Fatalf("level %d round trip: %+v, %v", cn.level, again, err)
		}
		g := audio.NewNoiseGen()
		g.Set(-float64(cn.level), cn.coeffs[:cn.order])
		g.Fill(make([]int16, audio.FrameSamples))
	})
}

package codec

import (
	"math"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// frameOf is the n-th 20 ms frame of a tone at the engine's rate.
func frameOf(hz float64, n int) []int16 {
	f := make([]int16, audio.FrameSamples)
	for i := range f {
		f[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(n*audio.FrameSamples+i)/audio.SampleRate))
	}
	return f
}

// Each codec takes and gives whole frames at the engine's rate, whatever its
// own, and a tone in its band comes through at its level.
func TestCodecsSpeakTheEngineRate(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			c, err := New(name, "")
			if err != nil {
				t.Fatal(err)
			}
			if c.SampleRate() != audio.SampleRate {
				t.Errorf("sample rate %d, want the engine's %d", c.SampleRate(), audio.SampleRate)
			}
			var out []int16
			for n := range 25 {
				got := c.Decode(nil, c.Encode(nil, frameOf(1000, n)))
				if len(got) != audio.FrameSamples {
					t.Fatalf("frame %d decoded to %d samples, want %d", n, len(got), audio.FrameSamples)
				}
				out = append(out, got...)
			}
			if level := audio.ToneLevel(out[len(out)/2:], audio.SampleRate, 1000); math.Abs(level-8000.0/32768) > 0.03 {
				t.Errorf("1 kHz at %.3f after the codec, want about %.3f", level, 8000.0/32768)
			}
		})
	}
}

// Names lists the wideband codecs first, and Opus only where libopus is
// built in; Lookup spells names as SDP does.
func TestTable(t *testing.T) {
	want := []string{"G722", "PCMU", "PCMA"}
	if opus.Available {
		want = append([]string{"opus"}, want...)
	}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	for in, want := range map[string]Format{
		"pcmu": {Name: "PCMU", PT: 0, ClockRate: 8000},
		"g722": {Name: "G722", PT: 9, ClockRate: 8000},
	} {
		if f, ok := Lookup(in); !ok || f != want {
			t.Errorf("Lookup(%q) = %+v, %v", in, f, ok)
		}
	}
	if _, err := New("G729", ""); err == nil {
		t.Error("New(G729) did not fail")
	}
}

// A codec that conceals a loss still does once adapted, a frame at the
// engine's rate; one that does not stays without.
func TestAdaptKeepsConcealment(t *testing.T) {
	if _, ok := Adapt(audio.NewPCMU()).(audio.Concealer); ok {
		t.Error("adapted PCMU claims to conceal")
	}
	c := Adapt(concealing{audio.NewPCMU()})
	cc, ok := c.(audio.Concealer)
	if !ok {
		t.Fatal("adapted concealer lost Conceal")
	}
	if n := len(cc.Conceal(nil)); n != audio.FrameSamples {
		t.Errorf("concealment of %d samples, want %d", n, audio.FrameSamples)
	}
}

// concealing is PCMU with a concealment of a frame of silence at 8 kHz.
type concealing struct{ *audio.PCMU }

func (concealing) Conceal(dst []int16) []int16 { return append(dst, make([]int16, 160)...) }

// BenchmarkCallPipeline is one call's codec work per 20 ms frame at the
// engine's rate: a frame encoded (resampled to the codec's rate first) and a
// packet decoded (resampled after), as the media clock does both ways.
func BenchmarkCallPipeline(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			c, err := New(name, "useinbandfec=1")
			if err != nil {
				b.Fatal(err)
			}
			pcm := frameOf(700, 0)
			payload := make([]byte, 0, 1500)
			out := make([]int16, 0, 4*audio.FrameSamples)
			b.ReportAllocs()
			for b.Loop() {
				payload = c.Encode(payload[:0], pcm)
				out = c.Decode(out[:0], payload)
			}
		})
	}
}

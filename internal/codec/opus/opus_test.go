//go:build cgo

package opus

import (
	"math"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// tone returns frames 20 ms frames of a sine at the engine's rate.
func tone(freq, amp float64, frames int) [][]int16 {
	out := make([][]int16, frames)
	for f := range out {
		out[f] = make([]int16, audio.FrameSamples)
		for i := range out[f] {
			n := f*audio.FrameSamples + i
			out[f][i] = int16(amp * math.Sin(2*math.Pi*freq*float64(n)/audio.SampleRate))
		}
	}
	return out
}

func newCodec(t testing.TB, p Params) *Codec {
	t.Helper()
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRoundTripWideband: a 6 kHz tone, beyond G.711's band, comes through
// Opus at its level.
func TestRoundTripWideband(t *testing.T) {
	tx, rx := newCodec(t, Params{}), newCodec(t, Params{})
	var out []int16
	for _, f := range tone(6000, 12000, 50) {
		out = rx.Decode(out, tx.Encode(nil, f))
	}
	if len(out) != 50*audio.FrameSamples {
		t.Fatalf("%d samples decoded, want %d", len(out), 50*audio.FrameSamples)
	}
	level := audio.ToneLevel(out[len(out)/2:], audio.SampleRate, 6000)
	if want := 12000.0 / 32768; level < want/2 {
		t.Errorf("6 kHz level %.3f after Opus, want about %.3f", level, want)
	}
}

// TestFECRestoresALostFrame: with useinbandfec the packet after a lost one
// rebuilds it far closer to what its decoding gives than plain concealment
// does. The sound is a warbling tone, which concealment cannot extrapolate.
func TestFECRestoresALostFrame(t *testing.T) {
	var in [][]int16
	for f, fr := range tone(440, 10000, 40) {
		for i := range fr {
			n := f*audio.FrameSamples + i
			fr[i] = int16(10000 * math.Sin(2*math.Pi*(440*float64(n)+300*math.Sin(float64(n)/700))/audio.SampleRate))
		}
		in = append(in, fr)
	}
	tx := newCodec(t, Params{InbandFEC: true})
	var packets [][]byte
	for _, f := range in {
		packets = append(packets, tx.Encode(nil, f))
	}
	const lost = 30
	ref := newCodec(t, Params{})
	for _, p := range packets[:lost] {
		ref.Decode(nil, p)
	}
	want := ref.Decode(nil, packets[lost])
	errOf := func(useFEC bool) float64 {
		rx := newCodec(t, Params{})
		for _, p := range packets[:lost] {
			rx.Decode(nil, p)
		}
		var got []int16
		if useFEC {
			got = rx.DecodeFEC(nil, packets[lost+1])
		} else {
			got = rx.Conceal(nil)
		}
		if len(got) != audio.FrameSamples {
			t.Fatalf("a lost frame gave %d samples, want %d", len(got), audio.FrameSamples)
		}
		var sum float64
		for i, v := range got {
			d := float64(v) - float64(want[i])
			sum += d * d
		}
		return math.Sqrt(sum / float64(len(got)))
	}
	fec, plc := errOf(true), errOf(false)
	t.Logf("error of the rebuilt frame: %.0f with FEC, %.0f with concealment", fec, plc)
	if fec >= plc/2 {
		t.Errorf("error of the frame rebuilt by FEC %.0f, of concealment %.0f: FEC should at least halve it", fec, plc)
	}
}

// TestConcealCarriesOn: concealment after a loss continues the sound rather
// than falling silent.
func TestConcealCarriesOn(t *testing.T) {
	tx, rx := newCodec(t, Params{}), newCodec(t, Params{})
	for _, f := range tone(440, 10000, 20) {
		rx.Decode(nil, tx.Encode(nil, f))
	}
	if level := audio.RMS(rx.Conceal(nil)); level < 0.05 {
		t.Errorf("concealment RMS %.3f: silence", level)
	}
}

// TestDTXShrinksSilence: with usedtx the encoder sends next to nothing in
// silence.
func TestDTXShrinksSilence(t *testing.T) {
	for _, dtx := range []bool{false, true} {
		tx := newCodec(t, Params{DTX: dtx})
		silence := make([]int16, audio.FrameSamples)
		total := 0
		for range 50 {
			total += len(tx.Encode(nil, silence))
		}
		if dtx && total > 50*3 || !dtx && total <= 50*3 {
			t.Errorf("DTX %v: %d bytes for a second of silence", dtx, total)
		}
	}
}

// BenchmarkOpus: one 20 ms frame of speech-band sound each way.
func BenchmarkOpus(b *testing.B) {
	c := newCodec(b, Params{InbandFEC: true})
	frames := tone(700, 8000, 50)
	payload := make([]byte, 0, maxPacket)
	pcm := make([]int16, 0, audio.SampleRate*120/1000)
	i := 0
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			payload = c.Encode(payload[:0], frames[i%len(frames)])
			i++
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			pcm = c.Decode(pcm[:0], payload)
		}
	})
}

package audio

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// The files in testdata/g722 are spandsp 0.0.6's G.722 (64 kbit/s, the
// implementation baresip's g722 module uses) run on one second of a 16 kHz
// signal: in.pcm a sweep from 50 Hz to 7.5 kHz with noise and a clipped loud
// stretch, code.g722 its encoding, out.pcm that decoded (16-bit little-endian).
// ITU-T's own G.722 test sequences are not freely published; spandsp's output
// is the reference instead.
func readG722Ref(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "g722", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pcmOf(b []byte) []int16 {
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// TestG722MatchesReference: our encoder gives spandsp's bytes, and our decoder
// spandsp's samples, every one of them, frame by frame as a call runs.
func TestG722MatchesReference(t *testing.T) {
	in := pcmOf(readG722Ref(t, "in.pcm"))
	wantCode := readG722Ref(t, "code.g722")
	wantOut := pcmOf(readG722Ref(t, "out.pcm"))

	g := NewG722()
	var code []byte
	for f := 0; f < len(in); f += 320 {
		code = g.Encode(code, in[f:f+320])
	}
	if !bytes.Equal(code, wantCode) {
		i := 0
		for i < len(code) && i < len(wantCode) && code[i] == wantCode[i] {
			i++
		}
		t.Fatalf("encoding differs from the reference from byte %d of %d (len %d)", i, len(wantCode), len(code))
	}
	var out []int16
	for f := 0; f < len(wantCode); f += 160 {
		out = g.Decode(out, wantCode[f:f+160])
	}
	if len(out) != len(wantOut) {
		t.Fatalf("decoded %d samples, want %d", len(out), len(wantOut))
	}
	wrapped := 0
	for i := range out {
		if out[i] == wantOut[i] {
			continue
		}
		// spandsp casts the receive QMF's output to 16 bits where it overflows,
		// and a loud peak wraps round to the other sign; we saturate, as
		// ITU-T's reference does. Only those samples may differ.
		loud := i > len(out)/2 && i < len(out)*3/4+24 // the clipped stretch, and the QMF's delay
		if loud && ((out[i] == 32767 && wantOut[i] < 0) || (out[i] == -32768 && wantOut[i] > 0)) {
			wrapped++
			continue
		}
		t.Fatalf("sample %d = %d, want %d", i, out[i], wantOut[i])
	}
	t.Logf("%d of %d samples identical; %d saturated where spandsp wraps", len(out)-wrapped, len(out), wrapped)
}

// TestG722Format: payload type 9, RTP clock 8000 for 16 kHz audio, a byte per
// two samples.
func TestG722Format(t *testing.T) {
	g := NewG722()
	if g.Name() != "G722" || g.PayloadType() != 9 || g.ClockRate() != 8000 || g.SampleRate() != 16000 {
		t.Errorf("G722: %s pt %d clock %d rate %d", g.Name(), g.PayloadType(), g.ClockRate(), g.SampleRate())
	}
	if n := len(g.Encode(nil, make([]int16, 320))); n != 160 {
		t.Errorf("20 ms encoded to %d bytes, want 160", n)
	}
}

// TestG722KeepsWideband: a 6 kHz tone, beyond what G.711 carries, survives.
func TestG722KeepsWideband(t *testing.T) {
	in := sine(6000, 16000, 12000, 16000)
	g := NewG722()
	out := g.Decode(nil, g.Encode(nil, in))
	if level := ToneLevel(out[4000:], 16000, 6000); level < 0.3 {
		t.Errorf("6 kHz level after G.722 = %.3f, want about %.3f", level, 12000.0/32768)
	}
}

func BenchmarkG722(b *testing.B) {
	pcm := sine(1000, 16000, 8000, 320)
	g := NewG722()
	payload := make([]byte, 0, 160)
	out := make([]int16, 0, 320)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			payload = g.Encode(payload[:0], pcm)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out = g.Decode(out[:0], payload)
		}
	})
}

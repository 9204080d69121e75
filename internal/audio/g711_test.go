package audio

import (
	"errors"
	"slices"
	"testing"
)

// Code words from ITU-T G.711 Tables 1a and 2a and the G.191 reference codec.
func TestG711ReferenceCodeWords(t *testing.T) {
	tests := []struct {
		name       string
		sample     int16
		ulaw, alaw byte
	}{
		{"zero", 0, 0xFF, 0xD5},
		{"plus one", 1, 0xFF, 0xD5},
		{"minus one", -1, 0x7E, 0x55},
		{"plus 8", 8, 0xFE, 0xD5},
		{"minus 8", -8, 0x7E, 0x55},
		{"plus 1000", 1000, 0xCE, 0xFA},
		{"minus 1000", -1000, 0x4E, 0x7A},
		{"positive full scale", 32767, 0x80, 0xAA},
		{"negative full scale", -32768, 0x00, 0x2A},
		{"µ-law clip point", 32635, 0x80, 0xAA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LinearToULaw(tt.sample); got != tt.ulaw {
				t.Errorf("LinearToULaw(%d) = %#02x, want %#02x", tt.sample, got, tt.ulaw)
			}
			if got := LinearToALaw(tt.sample); got != tt.alaw {
				t.Errorf("LinearToALaw(%d) = %#02x, want %#02x", tt.sample, got, tt.alaw)
			}
		})
	}
}

func TestG711ReferenceDecodedValues(t *testing.T) {
	tests := []struct {
		law  string
		code byte
		want int16
	}{
		{"µ", 0xFF, 0},
		{"µ", 0x7F, 0},
		{"µ", 0xFE, 8},
		{"µ", 0x7E, -8},
		{"µ", 0xF0, 120},
		{"µ", 0x80, 32124},
		{"µ", 0x00, -32124},
		{"A", 0xD5, 8},
		{"A", 0x55, -8},
		{"A", 0xD4, 24},
		{"A", 0xAA, 32256},
		{"A", 0x2A, -32256},
	}
	for _, tt := range tests {
		decode := ULawToLinear
		if tt.law == "A" {
			decode = ALawToLinear
		}
		if got := decode(tt.code); got != tt.want {
			t.Errorf("%s-law decode(%#02x) = %d, want %d", tt.law, tt.code, got, tt.want)
		}
	}
}

// The lookup tables must agree with the reference algorithms for every input.
func TestG711TablesMatchReference(t *testing.T) {
	for x := range 1 << 16 {
		s := int16(uint16(x))
		if got, want := LinearToULaw(s), linearToULawRef(s); got != want {
			t.Fatalf("LinearToULaw(%d) = %#02x, reference %#02x", s, got, want)
		}
		if got, want := LinearToALaw(s), linearToALawRef(s); got != want {
			t.Fatalf("LinearToALaw(%d) = %#02x, reference %#02x", s, got, want)
		}
	}
}

// Quantisation error is at most half a step of the segment the sample falls in
// (plus the 2 bits µ-law truncates), except where µ-law clips above 32635.
func TestG711RoundTripErrorPerSegment(t *testing.T) {
	for x := -32768; x <= 32767; x++ {
		s := int16(x)

		u := LinearToULaw(s)
		useg := int(^u&0x70) >> 4
		ubound := 4<<useg + 3
		if x > 32635 || x < -32635 {
			ubound = abs(x) - 32124
		}
		if err := abs(x - int(ULawToLinear(u))); err > ubound {
			t.Fatalf("µ-law %d -> %#02x -> %d: error %d > %d (segment %d)", x, u, ULawToLinear(u), err, ubound, useg)
		}

		a := LinearToALaw(s)
		aseg := int((a^0x55)&0x70) >> 4
		abound := 8 << max(0, aseg-1)
		if err := abs(x - int(ALawToLinear(a))); err > abound {
			t.Fatalf("A-law %d -> %#02x -> %d: error %d > %d (segment %d)", x, a, ALawToLinear(a), err, abound, aseg)
		}
	}
}

// Every code word decodes to a value that encodes back to the same code word, except
// µ-law's negative zero, and the two halves of each table mirror each other.
func TestG711CodeWordRoundTrip(t *testing.T) {
	for c := range 256 {
		code := byte(c)
		if code != 0x7F {
			if got := LinearToULaw(ULawToLinear(code)); got != code {
				t.Errorf("µ-law %#02x -> %d -> %#02x", code, ULawToLinear(code), got)
			}
		}
		if got := LinearToALaw(ALawToLinear(code)); got != code {
			t.Errorf("A-law %#02x -> %d -> %#02x", code, ALawToLinear(code), got)
		}
		if ULawToLinear(code) != -ULawToLinear(code^0x80) {
			t.Errorf("µ-law %#02x and %#02x are not symmetric", code, code^0x80)
		}
		if ALawToLinear(code) != -ALawToLinear(code^0x80) {
			t.Errorf("A-law %#02x and %#02x are not symmetric", code, code^0x80)
		}
	}
}

// Encoding is monotonic: a larger sample never decodes smaller.
func TestG711Monotonic(t *testing.T) {
	prevU, prevA := ULawToLinear(LinearToULaw(-32768)), ALawToLinear(LinearToALaw(-32768))
	for x := -32767; x <= 32767; x++ {
		u, a := ULawToLinear(LinearToULaw(int16(x))), ALawToLinear(LinearToALaw(int16(x)))
		if u < prevU || a < prevA {
			t.Fatalf("not monotonic at %d: µ %d after %d, A %d after %d", x, u, prevU, a, prevA)
		}
		prevU, prevA = u, a
	}
}

func TestCodecEncodeDecodeFrame(t *testing.T) {
	pcm := sine(1000, SampleRate, 12000, FrameSamples)
	for _, name := range CodecNames() {
		t.Run(name, func(t *testing.T) {
			c, err := NewCodec(name)
			if err != nil {
				t.Fatal(err)
			}
			prefix := []byte{0xAB, 0xCD}
			payload := c.Encode(slices.Clone(prefix), pcm)
			if len(payload) != len(prefix)+FrameSamples || !slices.Equal(payload[:2], prefix) {
				t.Fatalf("Encode returned %d bytes (prefix %x), want prefix kept and %d appended", len(payload), payload[:2], FrameSamples)
			}
			decoded := c.Decode([]int16{7}, payload[2:])
			if len(decoded) != 1+FrameSamples || decoded[0] != 7 {
				t.Fatalf("Decode returned %d samples (first %d), want prefix kept and %d appended", len(decoded), decoded[0], FrameSamples)
			}
			if level := ToneLevel(decoded[1:], SampleRate, 1000); level < 0.35 || level > 0.38 {
				t.Errorf("decoded 1 kHz level = %.3f, want about 12000/32768 = 0.366", level)
			}
		})
	}
}

func TestNewCodec(t *testing.T) {
	tests := []struct {
		name     string
		wantName string
		wantPT   uint8
		wantErr  error
	}{
		{"PCMU", "PCMU", 0, nil},
		{"pcmu", "PCMU", 0, nil},
		{"PCMA", "PCMA", 8, nil},
		{"pcMa", "PCMA", 8, nil},
		{"G722", "", 0, ErrUnknownCodec},
		{"", "", 0, ErrUnknownCodec},
	}
	for _, tt := range tests {
		c, err := NewCodec(tt.name)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("NewCodec(%q) error = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if c.Name() != tt.wantName || c.PayloadType() != tt.wantPT || c.ClockRate() != 8000 {
			t.Errorf("NewCodec(%q) = %s/%d/%d, want %s/%d/8000", tt.name, c.Name(), c.PayloadType(), c.ClockRate(), tt.wantName, tt.wantPT)
		}
	}
}

func TestCodecNamesMatchRegistry(t *testing.T) {
	names := CodecNames()
	if len(names) != len(codecFactories) {
		t.Fatalf("CodecNames() = %v, registry has %d codecs", names, len(codecFactories))
	}
	for _, name := range names {
		c, err := NewCodec(name)
		if err != nil || c.Name() != name {
			t.Errorf("NewCodec(%q) = %v, %v", name, c, err)
		}
	}
}

func TestCodecEncodeDoesNotAllocate(t *testing.T) {
	pcm := sine(440, SampleRate, 8000, FrameSamples)
	payload := make([]byte, 0, FrameSamples)
	decoded := make([]int16, 0, FrameSamples)
	for _, c := range []Codec{NewPCMU(), NewPCMA()} {
		allocs := testing.AllocsPerRun(100, func() {
			payload = c.Encode(payload[:0], pcm)
			decoded = c.Decode(decoded[:0], payload)
		})
		if allocs != 0 {
			t.Errorf("%s: %.0f allocations per frame, want 0", c.Name(), allocs)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func benchmarkEncode(b *testing.B, c Codec) {
	pcm := sine(1000, SampleRate, 10000, FrameSamples)
	dst := make([]byte, 0, FrameSamples)
	b.ReportAllocs()
	b.SetBytes(FrameSamples * 2)
	for b.Loop() {
		dst = c.Encode(dst[:0], pcm)
	}
}

func benchmarkDecode(b *testing.B, c Codec) {
	payload := c.Encode(nil, sine(1000, SampleRate, 10000, FrameSamples))
	dst := make([]int16, 0, FrameSamples)
	b.ReportAllocs()
	b.SetBytes(FrameSamples)
	for b.Loop() {
		dst = c.Decode(dst[:0], payload)
	}
}

func BenchmarkPCMUEncode(b *testing.B) { benchmarkEncode(b, NewPCMU()) }
func BenchmarkPCMUDecode(b *testing.B) { benchmarkDecode(b, NewPCMU()) }
func BenchmarkPCMAEncode(b *testing.B) { benchmarkEncode(b, NewPCMA()) }
func BenchmarkPCMADecode(b *testing.B) { benchmarkDecode(b, NewPCMA()) }

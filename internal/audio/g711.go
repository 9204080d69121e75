package audio

import (
	"slices"
	"sync"
)

// G.711 (ITU-T G.711, 1988) companding, bit-exact with the reference encoder of
// ITU-T G.191 (the classic Sun g711.c): µ-law works on the top 14 bits of a 16-bit
// sample, A-law on the top 13. Both directions are table lookups:
//
//   - encode: a 16384-entry table indexed by the top 14 bits of the sample
//     (uint16(s)>>2), which is exactly the precision µ-law keeps and a superset of
//     what A-law keeps, so one lookup per sample and no branches;
//   - decode: a 256-entry table per law.
//
// The tables are computed from the reference algorithms below on their first use (an
// idle engine has no call to encode, and its start-up does not pay for them) and are
// read-only afterwards.

// G.711 static RTP payload types (RFC 3551).
const (
	PayloadTypePCMU uint8 = 0
	PayloadTypePCMA uint8 = 8

	g711Rate = 8000 // G.711 samples and clock rate
)

const (
	ulawBias = 0x84 // 132: µ-law bias in 16-bit units
	ulawClip = 8159 // largest 14-bit magnitude µ-law encodes without clipping
)

// g711Tables are the lookup tables of both laws, built once, on first use.
type g711Tables struct {
	ulawEncode, alawEncode [1 << 14]byte
	ulawDecode, alawDecode [256]int16
}

var tables = sync.OnceValue(func() *g711Tables {
	t := new(g711Tables)
	buildEncodeTable(&t.ulawEncode, linearToULawRef)
	buildEncodeTable(&t.alawEncode, linearToALawRef)
	buildDecodeTable(&t.ulawDecode, ulawToLinearRef)
	buildDecodeTable(&t.alawDecode, alawToLinearRef)
	return t
})

// LinearToULaw encodes one 16-bit sample as a µ-law code word.
func LinearToULaw(s int16) byte { return tables().ulawEncode[uint16(s)>>2] }

// ULawToLinear decodes one µ-law code word to a 16-bit sample.
func ULawToLinear(u byte) int16 { return tables().ulawDecode[u] }

// LinearToALaw encodes one 16-bit sample as an A-law code word (even bits inverted,
// as sent on the wire).
func LinearToALaw(s int16) byte { return tables().alawEncode[uint16(s)>>2] }

// ALawToLinear decodes one A-law code word to a 16-bit sample.
func ALawToLinear(a byte) int16 { return tables().alawDecode[a] }

// PCMU is the G.711 µ-law codec, RTP payload type 0, 8 kHz. It is stateless; the zero
// value is ready to use and safe for concurrent use.
type PCMU struct{}

// NewPCMU returns a µ-law codec.
func NewPCMU() *PCMU { return &PCMU{} }

// Name returns "PCMU".
func (*PCMU) Name() string { return "PCMU" }

// PayloadType returns 0.
func (*PCMU) PayloadType() uint8 { return PayloadTypePCMU }

// ClockRate returns 8000.
func (*PCMU) ClockRate() int { return g711Rate }

// SampleRate returns 8000.
func (*PCMU) SampleRate() int { return g711Rate }

// Encode appends one µ-law byte per sample of pcm to dst. It does not allocate when
// dst has room for len(pcm) more bytes.
func (*PCMU) Encode(dst []byte, pcm []int16) []byte {
	return encodeTable(dst, pcm, &tables().ulawEncode)
}

// Decode appends one sample per µ-law byte of payload to dst. It does not allocate
// when dst has room for len(payload) more samples.
func (*PCMU) Decode(dst []int16, payload []byte) []int16 {
	return decodeTable(dst, payload, &tables().ulawDecode)
}

// PCMA is the G.711 A-law codec, RTP payload type 8, 8 kHz. It is stateless; the zero
// value is ready to use and safe for concurrent use.
type PCMA struct{}

// NewPCMA returns an A-law codec.
func NewPCMA() *PCMA { return &PCMA{} }

// Name returns "PCMA".
func (*PCMA) Name() string { return "PCMA" }

// PayloadType returns 8.
func (*PCMA) PayloadType() uint8 { return PayloadTypePCMA }

// ClockRate returns 8000.
func (*PCMA) ClockRate() int { return g711Rate }

// SampleRate returns 8000.
func (*PCMA) SampleRate() int { return g711Rate }

// Encode appends one A-law byte per sample of pcm to dst. It does not allocate when
// dst has room for len(pcm) more bytes.
func (*PCMA) Encode(dst []byte, pcm []int16) []byte {
	return encodeTable(dst, pcm, &tables().alawEncode)
}

// Decode appends one sample per A-law byte of payload to dst. It does not allocate
// when dst has room for len(payload) more samples.
func (*PCMA) Decode(dst []int16, payload []byte) []int16 {
	return decodeTable(dst, payload, &tables().alawDecode)
}

func encodeTable(dst []byte, pcm []int16, table *[1 << 14]byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, len(pcm))[:n+len(pcm)]
	out := dst[n:]
	for i, s := range pcm {
		out[i] = table[uint16(s)>>2]
	}
	return dst
}

func decodeTable(dst []int16, payload []byte, table *[256]int16) []int16 {
	n := len(dst)
	dst = slices.Grow(dst, len(payload))[:n+len(payload)]
	out := dst[n:]
	for i, b := range payload {
		out[i] = table[b]
	}
	return dst
}

func buildEncodeTable(t *[1 << 14]byte, encode func(int16) byte) {
	for i := range t {
		t[i] = encode(int16(uint16(i) << 2))
	}
}

func buildDecodeTable(t *[256]int16, decode func(byte) int16) {
	for i := range t {
		t[i] = decode(byte(i))
	}
}

// segment returns the index of the first end point that v does not exceed, or
// len(ends) when v is beyond the last one.
func segment(v int, ends *[8]int) int {
	for i, end := range ends {
		if v <= end {
			return i
		}
	}
	return len(ends)
}

var (
	ulawSegmentEnds = [8]int{0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF}
	alawSegmentEnds = [8]int{0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF}
)

// linearToULawRef is the G.191 reference µ-law encoder.
func linearToULawRef(s int16) byte {
	v := int(s) >> 2
	mask := 0xFF
	if v < 0 {
		v = -v
		mask = 0x7F
	}
	v = min(v, ulawClip) + ulawBias>>2
	seg := segment(v, &ulawSegmentEnds)
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	return byte((seg<<4 | (v>>(seg+1))&0x0F) ^ mask)
}

// ulawToLinearRef is the G.191 reference µ-law decoder.
func ulawToLinearRef(u byte) int16 {
	u = ^u
	t := (int(u&0x0F) << 3) + ulawBias
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// linearToALawRef is the G.191 reference A-law encoder.
func linearToALawRef(s int16) byte {
	v := int(s) >> 3
	mask := 0xD5
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	seg := segment(v, &alawSegmentEnds)
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	a := seg << 4
	if seg < 2 {
		a |= (v >> 1) & 0x0F
	} else {
		a |= (v >> seg) & 0x0F
	}
	return byte(a ^ mask)
}

// alawToLinearRef is the G.191 reference A-law decoder.
func alawToLinearRef(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0F) << 4
	switch seg := (a & 0x70) >> 4; seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

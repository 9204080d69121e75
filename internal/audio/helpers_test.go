package audio

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// sine returns n samples of amp·sin(2π·freq·t) sampled at rate.
func sine(freq float64, rate int, amp float64, n int) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return pcm
}

// noise returns n samples of uniform white noise of the given peak, from a fixed seed.
func noise(seed uint64, amp int, n int) []int16 {
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(rng.IntN(2*amp+1) - amp)
	}
	return pcm
}

// wavFile builds a WAV file around interleaved 16-bit samples. extra chunks are
// inserted between fmt and data; dataSize overrides the data chunk size when >= 0.
type wavFile struct {
	rate, channels int
	format         uint16 // 0 means PCM
	bits           uint16 // 0 means 16
	extensible     bool
	extra          [][]byte // complete chunks (id, size, payload, pad)
	samples        []int16
	dataSize       int64 // -1: the real size
}

func (w wavFile) bytes() []byte {
	le := binary.LittleEndian
	format, bits := w.format, w.bits
	if format == 0 {
		format = wavFormatPCM
	}
	if bits == 0 {
		bits = 16
	}
	var fmtChunk []byte
	if w.extensible {
		fmtChunk = le.AppendUint16(fmtChunk, wavFormatExtensible)
	} else {
		fmtChunk = le.AppendUint16(fmtChunk, format)
	}
	fmtChunk = le.AppendUint16(fmtChunk, uint16(w.channels))
	fmtChunk = le.AppendUint32(fmtChunk, uint32(w.rate))
	fmtChunk = le.AppendUint32(fmtChunk, uint32(w.rate*w.channels*int(bits)/8))
	fmtChunk = le.AppendUint16(fmtChunk, uint16(w.channels*int(bits)/8))
	fmtChunk = le.AppendUint16(fmtChunk, bits)
	if w.extensible {
		fmtChunk = le.AppendUint16(fmtChunk, 22)   // cbSize
		fmtChunk = le.AppendUint16(fmtChunk, bits) // valid bits
		fmtChunk = le.AppendUint32(fmtChunk, 0)    // channel mask
		fmtChunk = le.AppendUint16(fmtChunk, format)
		fmtChunk = append(fmtChunk, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71)
	}
	var data []byte
	for _, s := range w.samples {
		data = le.AppendUint16(data, uint16(s))
	}
	dataSize := uint32(len(data))
	if w.dataSize >= 0 {
		dataSize = uint32(w.dataSize)
	}

	body := []byte("WAVE")
	body = append(body, chunk("fmt ", fmtChunk)...)
	for _, c := range w.extra {
		body = append(body, c...)
	}
	body = append(body, "data"...)
	body = le.AppendUint32(body, dataSize)
	body = append(body, data...)

	out := []byte("RIFF")
	out = le.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// chunk encodes one RIFF chunk with its pad byte.
func chunk(id string, payload []byte) []byte {
	c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	c = append(c, payload...)
	if len(payload)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

func mono(rate int, samples []int16) wavFile {
	return wavFile{rate: rate, channels: 1, samples: samples, dataSize: -1}
}

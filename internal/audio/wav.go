package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// RIFF/WAVE reading. The parser is written for untrusted files: every size field is
// checked before use, allocation is bounded by the bytes actually present (never by
// what a header claims) and by MaxWAVDataBytes, and unknown chunks are skipped.

// MaxWAVDataBytes bounds the sample data ParseWAV reads: 128 MiB, about 70 minutes
// of 8 kHz mono or 11 minutes of 48 kHz stereo.
const MaxWAVDataBytes = 128 << 20

// Supported WAV sample rates (inclusive).
const (
	MinWAVRate = 1000
	MaxWAVRate = 384000
)

// maxWAVChannels is the most channels ParseWAV downmixes.
const maxWAVChannels = 8

const (
	wavFormatPCM        = 1
	wavFormatExtensible = 0xFFFE
	wavHeaderSize       = 44 // RIFF header + 16-byte fmt chunk + data chunk header
)

// WAVInfo describes a WAV file as stored.
type WAVInfo struct {
	SampleRate    int // frames per second
	Channels      int // interleaved channels in the file
	BitsPerSample int // always 16 for files ParseWAV accepts
	Frames        int // sample frames actually read (per channel)
}

// ParseWAV reads a RIFF/WAVE file of 16-bit PCM (plain or WAVE_FORMAT_EXTENSIBLE),
// 1 to 8 channels, at MinWAVRate to MaxWAVRate, and returns its description and its
// samples downmixed to mono (the average of the channels) at the file's own rate.
//
// A data chunk shorter than its header claims (a recording still being written, or a
// truncated file) is accepted: ParseWAV returns the whole frames present. Errors wrap
// ErrNotWAV, ErrMalformedWAV, ErrUnsupportedWAV or ErrWAVTooLarge, or are the reader's.
func ParseWAV(r io.Reader) (WAVInfo, []int16, error) {
	return parseWAV(r, MaxWAVDataBytes)
}

// ParseWAVChannels reads a WAV file as ParseWAV does but returns each channel's
// samples apart (a stereo recording's left and right).
func ParseWAVChannels(r io.Reader) (WAVInfo, [][]int16, error) {
	info, data, err := parseWAVData(r, MaxWAVDataBytes)
	if err != nil {
		return info, nil, err
	}
	chans := make([][]int16, info.Channels)
	for c := range chans {
		chans[c] = make([]int16, info.Frames)
		for i := range info.Frames {
			chans[c][i] = int16(binary.LittleEndian.Uint16(data[2*(i*info.Channels+c):]))
		}
	}
	return info, chans, nil
}

// parseWAV is ParseWAV with the data limit as a parameter, so tests can reach it
// without gigabytes of input.
func parseWAV(r io.Reader, maxData int64) (WAVInfo, []int16, error) {
	info, data, err := parseWAVData(r, maxData)
	if err != nil {
		return info, nil, err
	}
	return info, downmix(data, info.Channels), nil
}

// parseWAVData reads the header and the whole sample frames of the data chunk, as
// stored.
func parseWAVData(r io.Reader, maxData int64) (WAVInfo, []byte, error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return WAVInfo{}, nil, fmt.Errorf("%w: short RIFF header: %w", ErrNotWAV, err)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return WAVInfo{}, nil, ErrNotWAV
	}

	var info WAVInfo
	haveFmt := false
	for {
		id, size, err := readChunkHeader(r)
		if err != nil {
			return WAVInfo{}, nil, err
		}
		switch id {
		case "fmt ":
			if info, err = readFmtChunk(r, size); err != nil {
				return WAVInfo{}, nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return WAVInfo{}, nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrMalformedWAV)
			}
			data, err := readDataChunk(r, size, maxData, &info)
			return info, data, err
		default:
			if err := skip(r, paddedSize(size)); err != nil {
				return WAVInfo{}, nil, fmt.Errorf("%w: chunk %q: %w", ErrMalformedWAV, id, err)
			}
		}
	}
}

func readChunkHeader(r io.Reader) (id string, size uint32, err error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return "", 0, fmt.Errorf("%w: no data chunk", ErrMalformedWAV)
		}
		return "", 0, fmt.Errorf("%w: chunk header: %w", ErrMalformedWAV, err)
	}
	return string(hdr[0:4]), binary.LittleEndian.Uint32(hdr[4:8]), nil
}

func readFmtChunk(r io.Reader, size uint32) (WAVInfo, error) {
	// 16 bytes of PCM fields, 40 for WAVE_FORMAT_EXTENSIBLE; anything beyond 64 KiB
	// is not a fmt chunk.
	if size < 16 || size > 1<<16 {
		return WAVInfo{}, fmt.Errorf("%w: fmt chunk of %d bytes", ErrMalformedWAV, size)
	}
	buf := make([]byte, paddedSize(size))
	if _, err := io.ReadFull(r, buf); err != nil {
		return WAVInfo{}, fmt.Errorf("%w: fmt chunk: %w", ErrMalformedWAV, err)
	}
	le := binary.LittleEndian
	format := le.Uint16(buf[0:2])
	info := WAVInfo{
		Channels:      int(le.Uint16(buf[2:4])),
		SampleRate:    int(le.Uint32(buf[4:8])),
		BitsPerSample: int(le.Uint16(buf[14:16])),
	}
	if format == wavFormatExtensible {
		// cbSize(2) validBits(2) channelMask(4) subFormat GUID(16): the GUID starts
		// with the plain format code.
		if size < 40 {
			return WAVInfo{}, fmt.Errorf("%w: short WAVE_FORMAT_EXTENSIBLE fmt chunk", ErrMalformedWAV)
		}
		format = le.Uint16(buf[24:26])
	}
	switch {
	case format != wavFormatPCM:
		return WAVInfo{}, fmt.Errorf("%w: format code %#x is not PCM", ErrUnsupportedWAV, format)
	case info.BitsPerSample != 16:
		return WAVInfo{}, fmt.Errorf("%w: %d bits per sample", ErrUnsupportedWAV, info.BitsPerSample)
	case info.Channels < 1 || info.Channels > maxWAVChannels:
		return WAVInfo{}, fmt.Errorf("%w: %d channels", ErrUnsupportedWAV, info.Channels)
	case info.SampleRate < MinWAVRate || info.SampleRate > MaxWAVRate:
		return WAVInfo{}, fmt.Errorf("%w: %d Hz", ErrUnsupportedWAV, info.SampleRate)
	}
	return info, nil
}

// readDataChunk reads up to size bytes of interleaved samples and returns the whole
// sample frames among them.
// A size of 0 or 0xFFFFFFFF is what streaming writers leave before they know the
// length: then it reads to the end of the input.
func readDataChunk(r io.Reader, size uint32, maxData int64, info *WAVInfo) ([]byte, error) {
	limit := int64(size)
	if size == 0 || size == 0xFFFFFFFF || limit > maxData {
		// Read one byte past the cap to tell "exactly at the cap" from "beyond it".
		limit = maxData + 1
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r, limit)); err != nil {
		return nil, fmt.Errorf("reading WAV data: %w", err)
	}
	if int64(buf.Len()) > maxData {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrWAVTooLarge, maxData)
	}
	data := buf.Bytes()
	frameBytes := 2 * info.Channels
	info.Frames = len(data) / frameBytes
	return data[:info.Frames*frameBytes], nil
}

// downmix converts little-endian interleaved 16-bit frames to mono by averaging.
func downmix(data []byte, channels int) []int16 {
	frameBytes := 2 * channels
	pcm := make([]int16, len(data)/frameBytes)
	for i := range pcm {
		frame := data[i*frameBytes : (i+1)*frameBytes]
		sum := 0
		for c := range channels {
			sum += int(int16(binary.LittleEndian.Uint16(frame[2*c:])))
		}
		pcm[i] = int16(sum / channels)
	}
	return pcm
}

// paddedSize is a chunk's size on disk: RIFF pads odd-sized chunks to even.
func paddedSize(size uint32) int64 { return int64(size) + int64(size&1) }

func skip(r io.Reader, n int64) error {
	if s, ok := r.(io.Seeker); ok {
		_, err := s.Seek(n, io.SeekCurrent)
		return err
	}
	copied, err := io.CopyN(io.Discard, r, n)
	if copied < n && err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}

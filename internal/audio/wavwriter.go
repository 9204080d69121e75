package audio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sync"
)

// WAVWriter is a Sink that records 16-bit PCM, mono or interleaved channels, to a
// WAV file. Samples are
// buffered; Flush writes them and patches the RIFF and data sizes in the header, so a
// file read after any Flush is a complete, valid WAV of everything written so far.
// Close flushes and closes the file. A WAVWriter is safe for concurrent use (a media
// goroutine writing while another flushes periodically).
type WAVWriter struct {
	mu       sync.Mutex
	f        *os.File
	w        *bufio.Writer
	rate     int
	channels int
	data     int64  // sample bytes written after the header
	scratch  []byte // little-endian encoding of one frame, reused
	closed   bool
}

// maxWAVData is the largest data chunk the 32-bit RIFF size fields can describe.
const maxWAVData = math.MaxUint32 - (wavHeaderSize - 8)

// CreateWAV creates (or truncates) the file at path and writes the header of an
// empty 16-bit mono WAV at rate samples per second.
func CreateWAV(path string, rate int) (*WAVWriter, error) {
	if rate < MinWAVRate || rate > MaxWAVRate {
		return nil, fmt.Errorf("%w: %d Hz", ErrBadSampleRate, rate)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return NewWAVWriter(f, rate, 1)
}

// NewWAVWriter writes the header of an empty 16-bit WAV of channels interleaved
// channels at rate to f, an empty file open for writing, and returns the writer
// that records into it; it closes f when it fails. WriteFrame then takes
// interleaved samples, channels per sample frame.
func NewWAVWriter(f *os.File, rate, channels int) (*WAVWriter, error) {
	if rate < MinWAVRate || rate > MaxWAVRate {
		f.Close()
		return nil, fmt.Errorf("%w: %d Hz", ErrBadSampleRate, rate)
	}
	if channels < 1 || channels > maxWAVChannels {
		f.Close()
		return nil, fmt.Errorf("%w: %d channels", ErrUnsupportedWAV, channels)
	}
	ww := &WAVWriter{f: f, w: bufio.NewWriterSize(f, 32<<10), rate: rate, channels: channels}
	if _, err := ww.w.Write(wavHeader(rate, channels, 0)); err != nil {
		f.Close()
		return nil, err
	}
	if err := ww.flushLocked(); err != nil {
		f.Close()
		return nil, err
	}
	return ww, nil
}

// WriteFrame appends pcm to the recording. It fails with ErrClosed after Close and
// with ErrWAVTooLarge once the file would exceed the 4 GiB RIFF limit.
func (ww *WAVWriter) WriteFrame(pcm []int16) error {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.closed {
		return ErrClosed
	}
	n := int64(2 * len(pcm))
	if ww.data+n > maxWAVData {
		return ErrWAVTooLarge
	}
	if cap(ww.scratch) < int(n) {
		ww.scratch = make([]byte, n)
	}
	buf := ww.scratch[:n]
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(s))
	}
	if _, err := ww.w.Write(buf); err != nil {
		return err
	}
	ww.data += n
	return nil
}

// Samples returns how many samples have been written so far (of all channels).
func (ww *WAVWriter) Samples() int64 {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	return ww.data / 2
}

// Flush writes buffered samples to the file and updates the header sizes.
func (ww *WAVWriter) Flush() error {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.closed {
		return ErrClosed
	}
	return ww.flushLocked()
}

// Close flushes and closes the file. Closing twice returns ErrClosed.
func (ww *WAVWriter) Close() error {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if ww.closed {
		return ErrClosed
	}
	ww.closed = true
	err := ww.flushLocked()
	if cerr := ww.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (ww *WAVWriter) flushLocked() error {
	if err := ww.w.Flush(); err != nil {
		return err
	}
	// Patch RIFF size (offset 4) and data size (offset 40) without moving the
	// write offset.
	var size [4]byte
	binary.LittleEndian.PutUint32(size[:], uint32(ww.data+wavHeaderSize-8))
	if _, err := ww.f.WriteAt(size[:], 4); err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(size[:], uint32(ww.data))
	_, err := ww.f.WriteAt(size[:], 40)
	return err
}

// wavHeader returns the 44-byte header of a 16-bit PCM WAV of channels holding
// dataBytes.
func wavHeader(rate, channels int, dataBytes uint32) []byte {
	h := make([]byte, 0, wavHeaderSize)
	le := binary.LittleEndian
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, dataBytes+wavHeaderSize-8)
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 16)                      // fmt chunk size
	h = le.AppendUint16(h, wavFormatPCM)            // format
	h = le.AppendUint16(h, uint16(channels))        // channels
	h = le.AppendUint32(h, uint32(rate))            // sample rate
	h = le.AppendUint32(h, uint32(rate*2*channels)) // byte rate
	h = le.AppendUint16(h, uint16(2*channels))      // block align
	h = le.AppendUint16(h, 16)                      // bits per sample
	h = append(h, "data"...)
	return le.AppendUint32(h, dataBytes)
}

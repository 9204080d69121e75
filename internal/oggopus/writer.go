// Package oggopus writes and reads stereo Opus in Ogg (RFC 7845), the format of
// call recordings that are not WAV: an identification header (OpusHead) on the
// first page, a comment header (OpusTags) on the second, then the audio, 20 ms
// packets at the engine's rate, whole packets on each page and the page's granule
// position the end of its last packet at 48 kHz.
//
// A Writer puts its audio on a page at least every second (and on Flush), each
// written straight to the file: a file whose writer is killed is a valid stream up
// to its last whole page.
package oggopus

import (
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

const (
	// Channels is a recording's: the user's side left, the peer's right.
	Channels = 2
	// granuleRate is the rate granule positions and pre-skip count at, whatever the
	// audio's (RFC 7845 §4).
	granuleRate = 48000
	// frameSamples is one packet's interleaved samples: 20 ms of both channels.
	frameSamples = Channels * audio.FrameSamples
	// frameGranule is one packet's length at granuleRate.
	frameGranule = granuleRate / (1000 / audio.FrameMillis)
	// pageFrames is how many packets a page holds at most: a second of audio.
	pageFrames = 1000 / audio.FrameMillis
	// vendor names the encoder in OpusTags.
	vendor = "wpservice"
)

// Writer codes interleaved stereo frames at the engine's rate into an Ogg Opus file.
// It is not safe for concurrent use.
type Writer struct {
	out      io.WriteCloser
	enc      *opus.Stereo
	serial   uint32
	seq      uint32
	preSkip  int      // at granuleRate
	pcm      []int16  // samples waiting for a whole frame
	pending  [][]byte // packets not yet on a page
	segs     int      // the lacing values pending takes
	packets  int      // packets coded so far
	samples  uint64   // samples per channel given so far, at the engine's rate
	page     []byte   // a page's bytes, reused
	closed   bool
	writeErr error // the first write that failed: the file ends there
}

// NewWriter writes the headers of a stereo Ogg Opus stream to out and returns the
// Writer of its audio. Close closes out.
func NewWriter(out io.WriteCloser) (*Writer, error) {
	enc, err := opus.NewStereo()
	if err != nil {
		return nil, err
	}
	w := &Writer{out: out, enc: enc, serial: rand.Uint32(), preSkip: enc.Lookahead() * granuleRate / audio.SampleRate}
	if err := w.writePage(pageBOS, 0, head(w.preSkip)); err != nil {
		return nil, err
	}
	if err := w.writePage(0, 0, tags()); err != nil {
		return nil, err
	}
	return w, nil
}

// head is the identification header (RFC 7845 §5.1): channel mapping family 0.
func head(preSkip int) []byte {
	b := append([]byte("OpusHead"), 1, Channels)
	b = binary.LittleEndian.AppendUint16(b, uint16(preSkip))
	b = binary.LittleEndian.AppendUint32(b, audio.SampleRate)
	b = binary.LittleEndian.AppendUint16(b, 0) // output gain
	return append(b, 0)
}

// tags is the comment header (RFC 7845 §5.2): the vendor and no comments.
func tags() []byte {
	b := []byte("OpusTags")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vendor)))
	b = append(b, vendor...)
	return binary.LittleEndian.AppendUint32(b, 0)
}

// WriteFrame codes pcm, interleaved stereo samples of any length; a frame's
// remainder waits for the next call. A page is written once a second of packets is
// waiting.
func (w *Writer) WriteFrame(pcm []int16) error {
	if w.closed {
		return audio.ErrClosed
	}
	w.samples += uint64(len(pcm) / Channels)
	w.pcm = append(w.pcm, pcm...)
	at := 0
	for ; len(w.pcm)-at >= frameSamples; at += frameSamples {
		if err := w.encode(w.pcm[at : at+frameSamples]); err != nil {
			return err
		}
		if len(w.pending) >= pageFrames {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
	w.pcm = w.pcm[:copy(w.pcm, w.pcm[at:])]
	return nil
}

func (w *Writer) encode(frame []int16) error {
	pk, err := w.enc.Encode(nil, frame)
	if err != nil {
		return err
	}
	if w.segs+segments(len(pk)) > maxSegments {
		if err := w.Flush(); err != nil {
			return err
		}
	}
	w.pending = append(w.pending, pk)
	w.segs += segments(len(pk))
	w.packets++
	return nil
}

// Flush writes the packets waiting as a page.
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return w.writeErr
	}
	return w.writePage(0, w.granule(), w.pending...)
}

// granule is the end of the last packet coded, at granuleRate: what a decoder
// puts out, the pre-skip included.
func (w *Writer) granule() uint64 {
	return uint64(w.packets) * frameGranule
}

// Close codes the last partial frame padded with silence, and more silence for the
// audio still in the encoder's look-ahead, writes the last page (its granule
// position trims the padding, RFC 7845 §4.4) and closes the file.
func (w *Writer) Close() error {
	if w.closed {
		return audio.ErrClosed
	}
	var err error
	end := uint64(w.preSkip) + w.samples*granuleRate/audio.SampleRate
	for err == nil && (len(w.pcm) > 0 || w.granule() < end) {
		w.pcm = append(w.pcm, make([]int16, frameSamples-len(w.pcm))...)
		err = w.encode(w.pcm)
		w.pcm = w.pcm[:0]
	}
	if len(w.pending) == 0 {
		end = noPacketEnds // the audio is on the pages before: this one only ends the stream
	}
	if err == nil {
		err = w.writePage(pageEOS, end, w.pending...)
	}
	w.closed = true
	return errors.Join(err, w.out.Close())
}

// writePage writes packets as one page and forgets them.
func (w *Writer) writePage(flags byte, granule uint64, packets ...[]byte) error {
	if w.writeErr != nil {
		return w.writeErr
	}
	p := page{flags: flags, granule: granule, serial: w.serial, seq: w.seq, packets: packets}
	w.page = p.append(w.page[:0])
	if _, err := w.out.Write(w.page); err != nil {
		w.writeErr = err
		return err
	}
	w.seq++
	w.pending, w.segs = w.pending[:0], 0
	return nil
}

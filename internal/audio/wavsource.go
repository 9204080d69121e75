package audio

import (
	"bufio"
	"fmt"
	"os"
)

// WAVSource is a Source that plays a WAV file (a prompt, a ringtone, a test signal)
// at SampleRate. The whole file is decoded, downmixed and resampled when it is
// opened, so ReadFrame is a copy. At the end it either loops or produces silence.
// A WAVSource is not safe for concurrent use.
type WAVSource struct {
	info WAVInfo
	pcm  []int16 // mono, at SampleRate
	pos  int
	loop bool
}

// OpenWAV reads the 16-bit PCM WAV file at path (see ParseWAV for what is accepted)
// and returns a source of its audio at SampleRate. With loop set it starts over at
// the end; otherwise it produces silence once the file is played.
func OpenWAV(path string, loop bool) (*WAVSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, pcm, err := ParseWAV(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return NewWAVSource(info, pcm, loop), nil
}

// NewWAVSource returns a source of mono pcm sampled at info.SampleRate, resampled to
// SampleRate; it is what OpenWAV builds once the file is parsed.
func NewWAVSource(info WAVInfo, pcm []int16, loop bool) *WAVSource {
	if info.SampleRate != SampleRate {
		pcm = Resample(pcm, info.SampleRate, SampleRate)
	}
	return &WAVSource{info: info, pcm: pcm, loop: loop}
}

// Info describes the file as stored (its own rate and channel count).
func (s *WAVSource) Info() WAVInfo { return s.info }

// Len returns the length of the audio in samples at SampleRate.
func (s *WAVSource) Len() int { return len(s.pcm) }

// Done reports whether a non-looping source has played all of its audio.
func (s *WAVSource) Done() bool { return !s.loop && s.pos >= len(s.pcm) }

// Rewind starts playback again from the beginning.
func (s *WAVSource) Rewind() { s.pos = 0 }

// ReadFrame fills pcm with the next samples of the file, wrapping around when
// looping and padding with silence otherwise. It never fails.
func (s *WAVSource) ReadFrame(pcm []int16) error {
	for len(pcm) > 0 {
		if s.pos >= len(s.pcm) {
			if !s.loop || len(s.pcm) == 0 {
				clear(pcm)
				return nil
			}
			s.pos = 0
		}
		n := copy(pcm, s.pcm[s.pos:])
		s.pos += n
		pcm = pcm[n:]
	}
	return nil
}

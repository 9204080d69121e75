package oggopus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// File is an Ogg Opus stream as read: its headers and its audio packets.
type File struct {
	Channels  int
	PreSkip   int // at 48 kHz
	InputRate int // the rate the audio was coded from
	Vendor    string
	Packets   [][]byte
	Granule   uint64 // the last page's granule position
	Ended     bool   // the last page is marked the end of the stream
	Truncated bool   // the file ends inside a page, which is left out
}

// ErrNotOpus: the stream does not start with Opus headers.
var ErrNotOpus = errors.New("oggopus: not an Ogg Opus stream")

// Read reads a whole Ogg Opus stream of one logical stream. A page cut off at the
// end (a writer killed mid-page) is left out and reported in Truncated, not as an
// error.
func Read(r io.Reader) (File, error) {
	var f File
	for i := 0; ; i++ {
		p, err := readPage(r)
		if err == io.EOF {
			break
		}
		if err == io.ErrUnexpectedEOF {
			f.Truncated = true
			break
		}
		if err != nil {
			return f, err
		}
		switch i {
		case 0:
			if err := f.readHead(p); err != nil {
				return f, err
			}
		case 1:
			if len(p.packets) != 1 || !bytes.HasPrefix(p.packets[0], []byte("OpusTags")) || len(p.packets[0]) < 16 {
				return f, fmt.Errorf("%w: no OpusTags on the second page", ErrNotOpus)
			}
			n := int(binary.LittleEndian.Uint32(p.packets[0][8:]))
			f.Vendor = string(p.packets[0][12:min(12+n, len(p.packets[0]))])
		default:
			f.Packets = append(f.Packets, p.packets...)
			if p.granule != noPacketEnds {
				f.Granule = p.granule
			}
			f.Ended = p.flags&pageEOS != 0
		}
	}
	return f, nil
}

func (f *File) readHead(p page) error {
	if p.flags&pageBOS == 0 || len(p.packets) != 1 || len(p.packets[0]) < 19 || !bytes.HasPrefix(p.packets[0], []byte("OpusHead")) {
		return fmt.Errorf("%w: no OpusHead on the first page", ErrNotOpus)
	}
	h := p.packets[0]
	f.Channels = int(h[9])
	f.PreSkip = int(binary.LittleEndian.Uint16(h[10:]))
	f.InputRate = int(binary.LittleEndian.Uint32(h[12:]))
	return nil
}

// Decode decodes a stereo file's packets at the engine's rate, with the pre-skip
// and the padding the last granule position trims left out: the left channel and
// the right.
func (f File) Decode() (left, right []int16, err error) {
	if f.Channels != Channels {
		return nil, nil, fmt.Errorf("oggopus: %d channels, want %d", f.Channels, Channels)
	}
	dec, err := opus.NewStereo()
	if err != nil {
		return nil, nil, err
	}
	var pcm []int16
	for _, pk := range f.Packets {
		if pcm, err = dec.Decode(pcm, pk); err != nil {
			return nil, nil, err
		}
	}
	skip := f.PreSkip * audio.SampleRate / granuleRate
	end := len(pcm) / Channels
	if f.Granule > 0 {
		end = min(end, int(f.Granule)*audio.SampleRate/granuleRate)
	}
	for i := skip; i < end; i++ {
		left, right = append(left, pcm[2*i]), append(right, pcm[2*i+1])
	}
	return left, right, nil
}

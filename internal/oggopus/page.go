package oggopus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// An Ogg page (RFC 3533 §6): a 27-byte header, the lacing values that cut its body
// into packets, and the body. A packet of 255 bytes or more spans several lacing
// values; one that is a multiple of 255 ends with a zero.

// Header types.
const (
	pageBOS = 0x02 // the first page of the stream
	pageEOS = 0x04 // the last page of the stream
)

// noPacketEnds is the granule position of a page on which no packet ends (-1).
const noPacketEnds = ^uint64(0)

// maxSegments is how many lacing values one page holds.
const maxSegments = 255

// page is one page as written or read: its packets are whole (this package never
// continues a packet on the next page).
type page struct {
	flags   byte
	granule uint64
	serial  uint32
	seq     uint32
	packets [][]byte
}

// segments is how many lacing values a packet of n bytes takes.
func segments(n int) int { return n/255 + 1 }

// append appends the page's bytes to dst, checksum included.
func (p *page) append(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, "OggS"...)
	dst = append(dst, 0, p.flags)
	dst = binary.LittleEndian.AppendUint64(dst, p.granule)
	dst = binary.LittleEndian.AppendUint32(dst, p.serial)
	dst = binary.LittleEndian.AppendUint32(dst, p.seq)
	dst = append(dst, 0, 0, 0, 0) // the checksum, computed over the page with it zero
	n := 0
	for _, pk := range p.packets {
		n += segments(len(pk))
	}
	dst = append(dst, byte(n))
	for _, pk := range p.packets {
		for left := len(pk); ; left -= 255 {
			if left < 255 {
				dst = append(dst, byte(left))
				break
			}
			dst = append(dst, 255)
		}
	}
	for _, pk := range p.packets {
		dst = append(dst, pk...)
	}
	binary.LittleEndian.PutUint32(dst[start+22:], crc(dst[start:]))
	return dst
}

// errBadPage: what was read is not an Ogg page of a whole number of packets.
var errBadPage = errors.New("oggopus: not a valid Ogg page")

// readPage reads the next page of r; io.EOF at the end of the stream. A page cut
// off (a file whose writer was killed mid-page) is io.ErrUnexpectedEOF.
func readPage(r io.Reader) (page, error) {
	var h [27]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return page{}, err
	}
	if string(h[:4]) != "OggS" || h[4] != 0 {
		return page{}, errBadPage
	}
	lacing := make([]byte, h[26])
	if _, err := io.ReadFull(r, lacing); err != nil {
		return page{}, eof(err)
	}
	size := 0
	for _, l := range lacing {
		size += int(l)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return page{}, eof(err)
	}
	want := binary.LittleEndian.Uint32(h[22:])
	clear(h[22:26])
	if got := crc(append(append(h[:], lacing...), body...)); got != want {
		return page{}, fmt.Errorf("%w: checksum %08x, want %08x", errBadPage, got, want)
	}
	p := page{flags: h[5], granule: binary.LittleEndian.Uint64(h[6:]), serial: binary.LittleEndian.Uint32(h[14:]), seq: binary.LittleEndian.Uint32(h[18:])}
	at, n := 0, 0
	for i, l := range lacing {
		n += int(l)
		if l < 255 {
			p.packets = append(p.packets, body[at:at+n])
			at, n = at+n, 0
		} else if i == len(lacing)-1 {
			return page{}, fmt.Errorf("%w: a packet continues on the next page", errBadPage)
		}
	}
	return p, nil
}

func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// crcTable is Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value and
// final XOR zero.
var crcTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func crc(b []byte) uint32 {
	var c uint32
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>24)^x]
	}
	return c
}

//go:build cgo

package opus

/*
#cgo pkg-config: opus
#include <opus.h>

// The encoder's settings: opus_encoder_ctl is variadic, which cgo cannot call.
static int configure(OpusEncoder *e, int bitrate, int fec, int loss, int dtx, int bandwidth, int complexity) {
	int err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_BITRATE(bitrate))) != OPUS_OK) return err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(fec))) != OPUS_OK) return err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(loss))) != OPUS_OK) return err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_DTX(dtx))) != OPUS_OK) return err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(bandwidth))) != OPUS_OK) return err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity))) != OPUS_OK) return err;
	return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"github.com/wpservice/wpservice/internal/audio"
)

// Available reports that this build has Opus.
const Available = true

// maxPacket bounds one encoded packet (RFC 7587 allows up to 120 ms of audio).
const maxPacket = 1275

// Codec is one call's Opus encoder and decoder, mono, at the engine's rate. Its
// C state is freed when it is collected.
type Codec struct {
	enc *C.OpusEncoder
	dec *C.OpusDecoder
	// frame is the length, in samples at the codec's rate, of the last
	// packet decoded: what a concealment of a lost one makes.
	frame  int
	params Params
}

var (
	_ audio.Codec     = (*Codec)(nil)
	_ audio.Concealer = (*Codec)(nil)
)

// New returns an Opus codec that sends as p asks.
func New(p Params) (*Codec, error) {
	var err C.int
	rate := C.opus_int32(audio.SampleRate)
	enc := C.opus_encoder_create(rate, 1, C.OPUS_APPLICATION_VOIP, &err)
	if err != C.OPUS_OK {
		return nil, fmt.Errorf("opus: encoder: %s", C.GoString(C.opus_strerror(err)))
	}
	dec := C.opus_decoder_create(rate, 1, &err)
	if err != C.OPUS_OK {
		C.opus_encoder_destroy(enc)
		return nil, fmt.Errorf("opus: decoder: %s", C.GoString(C.opus_strerror(err)))
	}
	c := &Codec{enc: enc, dec: dec, frame: audio.FrameSamples, params: p}
	runtime.AddCleanup(c, func(s [2]unsafe.Pointer) {
		C.opus_encoder_destroy((*C.OpusEncoder)(s[0]))
		C.opus_decoder_destroy((*C.OpusDecoder)(s[1]))
	}, [2]unsafe.Pointer{unsafe.Pointer(enc), unsafe.Pointer(dec)})
	fec, dtx := 0, 0
	if p.InbandFEC {
		fec = 1
	}
	if p.DTX {
		dtx = 1
	}
	if e := C.configure(enc, C.int(p.bitrate()), C.int(fec), lossPercent, C.int(dtx), C.int(p.bandwidth()), complexity); e != C.OPUS_OK {
		return nil, fmt.Errorf("opus: settings: %s", C.GoString(C.opus_strerror(e)))
	}
	return c, nil
}

// Name returns "opus".
func (*Codec) Name() string { return "opus" }

// PayloadType returns the dynamic payload type we offer.
func (*Codec) PayloadType() uint8 { return PayloadType }

// ClockRate returns 48000.
func (*Codec) ClockRate() int { return ClockRate }

// SampleRate is the engine's: libopus codes at it directly.
func (*Codec) SampleRate() int { return audio.SampleRate }

// PacketTime is the longest packet duration within want the codec sends
// (FrameTime).
func (*Codec) PacketTime(want time.Duration) time.Duration { return FrameTime(want) }

// Params are the peer's wishes the encoder follows.
func (c *Codec) Params() Params { return c.params }

// Encode appends the Opus packet of one frame of pcm to dst; a frame DTX
// leaves out is a packet of a byte or two, which the caller sends anyway.
func (c *Codec) Encode(dst []byte, pcm []int16) []byte {
	if len(pcm) == 0 {
		return dst
	}
	n := len(dst)
	dst = grow(dst, maxPacket)
	got := C.opus_encode(c.enc, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)),
		(*C.uchar)(unsafe.Pointer(&dst[n])), maxPacket)
	if got < 0 {
		return dst[:n]
	}
	return dst[:n+int(got)]
}

// Decode appends the audio of payload to dst: as many samples as the packet
// holds (10 to 120 ms). A packet libopus refuses gives a frame of concealment.
func (c *Codec) Decode(dst []int16, payload []byte) []int16 {
	return c.decode(dst, payload, 0)
}

// DecodeFEC appends the frame before payload, rebuilt from the in-band FEC
// payload carries (a frame of concealment when it carries none): what the
// receive path plays for a lost packet when the next one is already in.
func (c *Codec) DecodeFEC(dst []int16, payload []byte) []int16 {
	return c.decode(dst, payload, 1)
}

// Conceal appends one frame of libopus's packet-loss concealment.
func (c *Codec) Conceal(dst []int16) []int16 {
	return c.decode(dst, nil, 0)
}

func (c *Codec) decode(dst []int16, payload []byte, fec C.int) []int16 {
	const maxSamples = audio.SampleRate * 120 / 1000
	n := len(dst)
	var data *C.uchar
	if len(payload) > 0 {
		data = (*C.uchar)(unsafe.Pointer(&payload[0]))
	}
	room := maxSamples
	switch {
	case payload == nil:
		room = c.frame // concealment as long as the last frame heard
	case fec == 1:
		// The lost frame is taken to last as long as the packet after it:
		// a sender keeps its packet time.
		room = c.frame
		if d := C.opus_packet_get_nb_samples(data, C.opus_int32(len(payload)), C.opus_int32(audio.SampleRate)); d > 0 && d <= maxSamples {
			room = int(d)
		}
	}
	dst = growPCM(dst, room)
	got := C.opus_decode(c.dec, data, C.opus_int32(len(payload)),
		(*C.opus_int16)(unsafe.Pointer(&dst[n])), C.int(room), fec)
	if got < 0 && payload != nil {
		got = C.opus_decode(c.dec, nil, 0, (*C.opus_int16)(unsafe.Pointer(&dst[n])), C.int(c.frame), 0)
	}
	if got < 0 {
		clear(dst[n : n+c.frame])
		got = C.int(c.frame)
	}
	if payload != nil && fec == 0 && got > 0 {
		c.frame = int(got)
	}
	return dst[:n+int(got)]
}

func grow(dst []byte, n int) []byte {
	if len(dst)+n <= cap(dst) {
		return dst[:len(dst)+n]
	}
	return append(dst, make([]byte, n)...)
}

func growPCM(dst []int16, n int) []int16 {
	if len(dst)+n <= cap(dst) {
		return dst[:len(dst)+n]
	}
	return append(dst, make([]int16, n)...)
}

//go:build cgo

package opus

/*
#cgo pkg-config: opus
#include <opus.h>

// The stereo encoder's settings and its look-ahead: opus_encoder_ctl is variadic.
static int configureStereo(OpusEncoder *e, int bitrate, int complexity) {
	int err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_BITRATE(bitrate))) != OPUS_OK) return err;
	if ((err = opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity))) != OPUS_OK) return err;
	return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}

static int lookahead(OpusEncoder *e) {
	opus_int32 n = 0;
	if (opus_encoder_ctl(e, OPUS_GET_LOOKAHEAD(&n)) != OPUS_OK) return 0;
	return n;
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/wpservice/wpservice/internal/audio"
)

// StereoBitrate is what a stereo recording is coded at: wideband speech on two
// independent channels.
const StereoBitrate = 48000

// Stereo is a stereo Opus encoder and decoder at the engine's rate, for recordings
// whose channels are the two sides of a call: samples interleaved, left first. Its
// C state is freed when it is collected.
type Stereo struct {
	enc *C.OpusEncoder
	dec *C.OpusDecoder
}

// NewStereo returns a stereo encoder and decoder.
func NewStereo() (*Stereo, error) {
	var err C.int
	rate := C.opus_int32(audio.SampleRate)
	enc := C.opus_encoder_create(rate, 2, C.OPUS_APPLICATION_AUDIO, &err)
	if err != C.OPUS_OK {
		return nil, fmt.Errorf("opus: stereo encoder: %s", C.GoString(C.opus_strerror(err)))
	}
	dec := C.opus_decoder_create(rate, 2, &err)
	if err != C.OPUS_OK {
		C.opus_encoder_destroy(enc)
		return nil, fmt.Errorf("opus: stereo decoder: %s", C.GoString(C.opus_strerror(err)))
	}
	s := &Stereo{enc: enc, dec: dec}
	runtime.AddCleanup(s, func(p [2]unsafe.Pointer) {
		C.opus_encoder_destroy((*C.OpusEncoder)(p[0]))
		C.opus_decoder_destroy((*C.OpusDecoder)(p[1]))
	}, [2]unsafe.Pointer{unsafe.Pointer(enc), unsafe.Pointer(dec)})
	if e := C.configureStereo(enc, StereoBitrate, complexity); e != C.OPUS_OK {
		return nil, fmt.Errorf("opus: stereo settings: %s", C.GoString(C.opus_strerror(e)))
	}
	return s, nil
}

// Lookahead is how many samples per channel, at the engine's rate, the encoder's
// output lags its input: what a player skips at the start (RFC 7845 pre-skip).
func (s *Stereo) Lookahead() int { return int(C.lookahead(s.enc)) }

// Encode appends the Opus packet of pcm, one frame of interleaved stereo (10, 20,
// 40 or 60 ms), to dst.
func (s *Stereo) Encode(dst []byte, pcm []int16) ([]byte, error) {
	n := len(dst)
	dst = grow(dst, maxPacket)
	got := C.opus_encode(s.enc, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)/2),
		(*C.uchar)(unsafe.Pointer(&dst[n])), maxPacket)
	if got < 0 {
		return dst[:n], fmt.Errorf("opus: encode: %s", C.GoString(C.opus_strerror(got)))
	}
	return dst[:n+int(got)], nil
}

// Decode appends the interleaved stereo audio of one packet to dst.
func (s *Stereo) Decode(dst []int16, payload []byte) ([]int16, error) {
	const maxSamples = audio.SampleRate * 120 / 1000
	if len(payload) == 0 {
		return dst, fmt.Errorf("opus: decode: an empty packet")
	}
	n := len(dst)
	dst = growPCM(dst, 2*maxSamples)
	got := C.opus_decode(s.dec, (*C.uchar)(unsafe.Pointer(&payload[0])), C.opus_int32(len(payload)),
		(*C.opus_int16)(unsafe.Pointer(&dst[n])), maxSamples, 0)
	if got < 0 {
		return dst[:n], fmt.Errorf("opus: decode: %s", C.GoString(C.opus_strerror(got)))
	}
	return dst[:n+2*int(got)], nil
}

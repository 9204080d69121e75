//go:build cgo

package resample

/*
#cgo pkg-config: speexdsp
#include <stdlib.h>
#include <speex/speex_resampler.h>

// process runs one channel's samples through st and returns how many it wrote;
// *used is how many input samples it took. Lengths go by value, so that no Go
// variable escapes to the heap per frame.
static unsigned process(SpeexResamplerState *st, const spx_int16_t *in, unsigned in_len,
		spx_int16_t *out, unsigned out_cap, unsigned *used) {
	spx_uint32_t il = in_len, ol = out_cap;
	speex_resampler_process_int(st, 0, in, &il, out, &ol);
	*used = il;
	return ol;
}
*/
import "C"

import (
	"runtime"
	"unsafe"

	"github.com/wpservice/wpservice/internal/audio"
)

// Builtin names the resampler New returns.
const Builtin = "speexdsp"

// speex is a speexdsp resampler. Its C state is freed when it is collected.
type speex struct {
	st    *C.SpeexResamplerState
	in    int
	out   int
	used  *C.unsigned // C memory: the input count process took
	delay int
}

func newNative(in, out int) audio.Resampler {
	var err C.int
	st := C.speex_resampler_init(1, C.spx_uint32_t(in), C.spx_uint32_t(out), C.int(Quality), &err)
	if st == nil {
		return audio.NewPolyphase(in, out) // an absurd rate pair: speexdsp refuses, we do not
	}
	s := &speex{st: st, in: in, out: out, used: (*C.unsigned)(C.malloc(C.size_t(unsafe.Sizeof(C.unsigned(0)))))}
	s.delay = int(C.speex_resampler_get_output_latency(st))
	runtime.AddCleanup(s, func(p struct {
		st   *C.SpeexResamplerState
		used *C.unsigned
	}) {
		C.speex_resampler_destroy(p.st)
		C.free(unsafe.Pointer(p.used))
	}, struct {
		st   *C.SpeexResamplerState
		used *C.unsigned
	}{st, s.used})
	return s
}

// Process appends in, resampled, to dst.
func (s *speex) Process(dst, in []int16) []int16 {
	for len(in) > 0 {
		want := len(in)*s.out/s.in + 2
		n := len(dst)
		dst = grow(dst, want)
		wrote := C.process(s.st, (*C.spx_int16_t)(unsafe.Pointer(&in[0])), C.unsigned(len(in)),
			(*C.spx_int16_t)(unsafe.Pointer(&dst[n])), C.unsigned(want), s.used)
		dst = dst[:n+int(wrote)]
		took := int(*s.used)
		if took == 0 && wrote == 0 {
			break
		}
		in = in[took:]
	}
	return dst
}

// Delay is speexdsp's output latency.
func (s *speex) Delay() int { return s.delay }

// grow extends dst's length by n, reallocating only when its capacity is short.
func grow(dst []int16, n int) []int16 {
	if len(dst)+n <= cap(dst) {
		return dst[:len(dst)+n]
	}
	return append(dst, make([]int16, n)...)
}

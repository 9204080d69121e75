package codec

import (
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/resample"
)

// Adapt returns c speaking the engine's rate: its Encode takes and its Decode
// gives frames at audio.SampleRate, converted at the codec's edge by a resampler
// each way. A codec at the engine's rate is returned as it is. A codec that
// conceals a loss (audio.Concealer) still does, at the engine's rate.
func Adapt(c audio.Codec) audio.Codec {
	rate := c.SampleRate()
	if rate == audio.SampleRate {
		return c
	}
	a := &adapted{
		Codec: c,
		down:  resample.New(audio.SampleRate, rate),
		up:    resample.New(rate, audio.SampleRate),
		pcm:   make([]int16, 0, rate*audio.FrameMillis/1000*3),
	}
	if cc, ok := c.(audio.Concealer); ok {
		return &adaptedConcealer{adapted: a, conceal: cc}
	}
	return a
}

// adapted is a codec behind a resampler each way. Both directions run on the
// media clock's goroutine, so one scratch buffer serves them.
type adapted struct {
	audio.Codec
	down, up audio.Resampler
	pcm      []int16 // scratch at the codec's rate
}

// SampleRate is the engine's.
func (a *adapted) SampleRate() int { return audio.SampleRate }

// Encode resamples pcm to the codec's rate and encodes it.
func (a *adapted) Encode(dst []byte, pcm []int16) []byte {
	a.pcm = a.down.Process(a.pcm[:0], pcm)
	return a.Codec.Encode(dst, a.pcm)
}

// Decode decodes payload and resamples it to the engine's rate.
func (a *adapted) Decode(dst []int16, payload []byte) []int16 {
	a.pcm = a.Codec.Decode(a.pcm[:0], payload)
	return a.up.Process(dst, a.pcm)
}

// Unwrap is the codec at its own rate.
func (a *adapted) Unwrap() audio.Codec { return a.Codec }

// adaptedConcealer is an adapted codec that conceals a loss its own way.
type adaptedConcealer struct {
	*adapted
	conceal audio.Concealer
}

// Conceal appends one frame of the codec's concealment at the engine's rate.
func (a *adaptedConcealer) Conceal(dst []int16) []int16 {
	a.pcm = a.conceal.Conceal(a.pcm[:0])
	return a.up.Process(dst, a.pcm)
}

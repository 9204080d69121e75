package device

import "github.com/wpservice/wpservice/internal/audio"

// callbackFrames is how many device periods one callback may carry before its
// conversion buffers grow (and the callback allocates, once).
const callbackFrames = 4

// rateSide is one direction's conversion, in the device callback, between the
// device's rate and the engine's. The zero rateSide is a device at the
// engine's rate: no conversion.
type rateSide struct {
	rate    int             // the device's; 0 is the engine's
	res     audio.Resampler // nil at the engine's rate
	conv    []int16         // captured samples converted to the engine's rate
	engine  []int16         // one engine frame read from the playback ring
	pending []int16         // converted playback samples the device has not taken yet
}

// newRateSide returns the conversion for a device at rate through res.
func newRateSide(res audio.Resampler, rate int) rateSide {
	if rate == audio.SampleRate {
		return rateSide{}
	}
	period := rate * audio.FrameMillis / 1000
	return rateSide{
		rate:    rate,
		res:     res,
		conv:    make([]int16, 0, callbackFrames*audio.FrameSamples+16),
		engine:  make([]int16, audio.FrameSamples),
		pending: make([]int16, 0, (callbackFrames+1)*period+16),
	}
}

// toEngine converts captured samples to the engine's rate.
func (s *rateSide) toEngine(in []int16) []int16 {
	if s.res == nil {
		return in
	}
	s.conv = s.res.Process(s.conv[:0], in)
	return s.conv
}

// fromEngine fills out, at the device's rate, from the engine's frames in
// ring, and silence past what the ring has.
func (s *rateSide) fromEngine(out []int16, ring *audio.Ring) {
	if s.res == nil {
		n := ring.Read(out)
		clear(out[n:])
		return
	}
	for len(s.pending) < len(out) {
		n := ring.Read(s.engine) // short of a frame: the ring counts an underrun
		s.pending = s.res.Process(s.pending, s.engine[:n])
		if n < len(s.engine) {
			break
		}
	}
	n := copy(out, s.pending)
	clear(out[n:])
	s.pending = s.pending[:copy(s.pending, s.pending[n:])]
}

// engineFrames is n frames of the device in frames at the engine's rate.
func (s *rateSide) engineFrames(n uint64) uint64 {
	if s.rate == 0 {
		return n
	}
	return n * audio.SampleRate / uint64(s.rate)
}

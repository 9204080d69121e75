package media

import (
	"net"
	"slices"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/audio"
)

// Silence suppression (RFC 3389 with RFC 3551 §4.1): where the peer took
// comfort noise, a frame the voice activity detector finds silent is not
// sent; a CN packet with the background's level opens the silence and is
// sent again every cnRefresh frames, or sooner when the level moves by
// cnLevelStep dB, so that the peer's noise follows ours. The timestamps go
// on through the silence, and the first voice packet after it carries the
// marker bit: the peer sees the gap for what it is.
const (
	cnRefresh   = 10 // frames: 200 ms
	cnLevelStep = 3  // dB
)

// silenceState is the send side's silence suppression, the media clock's.
type silenceState struct {
	vad     *audio.VAD
	silent  bool  // in a silence: no voice sent since its CN packet
	sinceCN int   // frames since the last CN packet
	level   uint8 // the level it carried, in -dBov
}

// suppress runs the detector on the frame pcm and, in a silence, sends the CN
// packet due or nothing, moving the timestamp on by the frame and any audio
// gathered for a longer packet. It reports whether pcm was taken so; false
// leaves it to be sent as voice, the first after a silence with the marker.
func (s *Stream) suppress(p Params, remote *net.UDPAddr, pcm []int16, frame uint32, rate int) (bool, error) {
	st := &s.silence
	if st.vad == nil {
		st.vad = audio.NewVAD()
	}
	if st.vad.Voice(pcm) {
		if st.silent {
			st.silent, s.talkspurt = false, true
		}
		return false, nil
	}
	units := frame + uint32(len(s.txPCM)*rate/audio.SampleRate)
	s.txPCM = s.txPCM[:0]
	level := noiseLevel(st.vad.NoiseDBFS())
	if st.silent && st.sinceCN+1 < cnRefresh && absDiff(level, st.level) < cnLevelStep {
		st.sinceCN++
		s.ts += units
		return true, nil
	}
	st.silent, st.sinceCN, st.level = true, 0, level
	s.payload = appendComfortNoise(s.payload[:0], level)
	s.cnSent.Add(1)
	return true, s.send(rtp.Header{PayloadType: p.CNPayloadType, Timestamp: s.ts}, remote, units, rate)
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

// startNoise takes a CN packet played from the jitter buffer: the noise it
// describes is played from this frame on, in place of concealment, until
// the peer's voice resumes. A payload that cannot be read is a lost packet.
func (s *Stream) startNoise(payload []byte) bool {
	cn, err := parseComfortNoise(payload)
	if err != nil {
		return false
	}
	s.noise.Set(-float64(cn.level), cn.coeffs[:cn.order])
	s.noiseOn = true
	s.fillNoise()
	return true
}

// playNoise fills s.pending with a frame of the peer's comfort noise: what
// its silence sounds like, played where no packet came.
func (s *Stream) playNoise() {
	s.fillNoise()
	s.pending, s.pendingGood = s.decoded, true
}

func (s *Stream) fillNoise() {
	s.decoded = slices.Grow(s.decoded[:0], audio.FrameSamples)[:audio.FrameSamples]
	s.noise.Fill(s.decoded)
}

// insertNoise fills s.pending with a frame the jitter buffer inserts in the
// peer's quiet audio, when the peer takes comfort noise: noise at the level
// of the frame played last, the background it stands for, where concealment
// would leave a gap of silence in it (the words' ends before a CN packet).
func (s *Stream) insertNoise() {
	s.noise.Set(s.level, nil)
	s.playNoise()
}

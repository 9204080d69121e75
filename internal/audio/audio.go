// Package audio is the PCM plane: frames, codecs, sources and sinks, tone and WAV
// helpers, the mixer and level/tone detection. Pure Go, no cgo: everything here is
// tested without a sound card. The device shim lives in audio/device.
package audio

// The engine's internal PCM format: 16-bit signed mono at SampleRate, in frames of
// FrameDuration. Codecs with another clock rate resample at their edge.
const (
	SampleRate   = 8000
	FrameMillis  = 20
	FrameSamples = SampleRate * FrameMillis / 1000 // 160
)

// Source produces PCM one frame at a time. ReadFrame fills all of pcm (len FrameSamples);
// a source with nothing to give fills silence. It returns an error only when it is broken
// or closed.
type Source interface {
	ReadFrame(pcm []int16) error
}

// Sink consumes PCM one frame at a time.
type Sink interface {
	WriteFrame(pcm []int16) error
}

// Codec encodes and decodes one RTP payload format. Implementations are stateless or
// hold per-call state; create one per call direction with the factory in codecs.go.
type Codec interface {
	Name() string       // SDP encoding name: "PCMU", "PCMA"
	PayloadType() uint8 // static RTP payload type (0, 8), or the default dynamic one
	ClockRate() int     // RTP clock rate
	// Encode appends the payload for one frame of pcm to dst and returns it.
	Encode(dst []byte, pcm []int16) []byte
	// Decode appends the PCM of payload to dst and returns it.
	Decode(dst []int16, payload []byte) []int16
}

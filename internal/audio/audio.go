// Package audio is the PCM plane: frames, codecs, sources and sinks, tone and WAV
// helpers, the mixer and level/tone detection. Pure Go, no cgo: everything here is
// tested without a sound card. The device shim lives in audio/device.
package audio

// The engine's internal PCM format: 16-bit signed mono at SampleRate, in frames of
// FrameMillis. Codecs and devices at another rate resample at their edge (see
// internal/codec); docs/architecture.md says why 16 kHz.
const (
	SampleRate   = 16000
	FrameMillis  = 20
	FrameSamples = SampleRate * FrameMillis / 1000 // 320
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
	Name() string       // SDP encoding name: "PCMU", "PCMA", "G722", "opus"
	PayloadType() uint8 // static RTP payload type (0, 8, 9), or the default dynamic one
	ClockRate() int     // RTP clock rate: 8000 for G.722 (RFC 3551), 48000 for Opus
	// SampleRate is the rate of the PCM Encode takes and Decode gives, one frame
	// of FrameMillis at a time: 8000 for G.711, 16000 for G.722.
	SampleRate() int
	// Encode appends the payload for one frame of pcm to dst and returns it.
	Encode(dst []byte, pcm []int16) []byte
	// Decode appends the PCM of payload to dst and returns it.
	Decode(dst []int16, payload []byte) []int16
}

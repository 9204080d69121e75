package audio

// Concealer is a codec that makes up for a lost packet its own way (Opus's
// packet-loss concealment, say). Conceal appends one frame of concealment at the
// codec's sample rate to dst and returns it; the receive path calls it after a
// loss instead of repeating the last frame.
type Concealer interface {
	Conceal(dst []int16) []int16
}

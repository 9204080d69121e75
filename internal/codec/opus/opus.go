// Package opus is the Opus codec (RFC 6716) in RTP (RFC 7587) through libopus:
// the RTP clock runs at 48 kHz whatever the audio's bandwidth, the encoder and
// decoder run at the engine's rate, mono, with in-band FEC, DTX and the
// receiver's fmtp wishes (maxaveragebitrate, useinbandfec, usedtx, stereo,
// maxplaybackrate) applied to what we send. A build without cgo has no Opus
// (Available is false) and offers none.
package opus

import (
	"strconv"
	"strings"
)

const (
	// PayloadType is the dynamic payload type we offer Opus on.
	PayloadType uint8 = 111
	// ClockRate is Opus's RTP clock rate (RFC 7587 §4.1), always 48000.
	ClockRate = 48000
	// Fmtp is what we ask of the peer's sending: mono at up to 16 kHz (the
	// engine's rate), in-band FEC, DTX welcome.
	Fmtp = "maxplaybackrate=16000;sprop-maxcapturerate=16000;stereo=0;sprop-stereo=0;useinbandfec=1;usedtx=1"

	// DefaultBitrate is what we send at when the peer names no
	// maxaveragebitrate: wideband speech with room for FEC.
	DefaultBitrate = 32000
	// minBitrate and maxBitrate bound maxaveragebitrate (RFC 7587 §6.1).
	minBitrate, maxBitrate = 6000, 510000
	// complexity is the encoder's effort (0-10): 5, the middle, keeps a
	// frame's encode and decode under 150 µs (docs/benchmarks.md), where
	// libopus's default 10 costs several times more.
	complexity = 5
	// lossPercent is the expected loss the encoder plans its FEC for.
	lossPercent = 10
)

// Params are the peer's receive wishes from its fmtp (RFC 7587 §6.1), which
// shape what our encoder sends.
type Params struct {
	MaxAverageBitrate int  // bits/s; 0 is DefaultBitrate
	InbandFEC         bool // useinbandfec=1
	DTX               bool // usedtx=1
	Stereo            bool // stereo=1: we still send mono, which any decoder takes
	MaxPlaybackRate   int  // Hz; 0 is 48000
}

// ParseFmtp reads an Opus fmtp value ("useinbandfec=1; maxplaybackrate=16000").
// Unknown parameters and unreadable values are ignored, as RFC 7587 §6.1 asks.
func ParseFmtp(fmtp string) Params {
	var p Params
	for kv := range strings.SplitSeq(fmtp, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "maxaveragebitrate":
			if n >= minBitrate && n <= maxBitrate {
				p.MaxAverageBitrate = n
			}
		case "useinbandfec":
			p.InbandFEC = n == 1
		case "usedtx":
			p.DTX = n == 1
		case "stereo":
			p.Stereo = n == 1
		case "maxplaybackrate":
			if n > 0 {
				p.MaxPlaybackRate = n
			}
		}
	}
	return p
}

// bitrate is what the encoder sends at for p.
func (p Params) bitrate() int {
	if p.MaxAverageBitrate == 0 {
		return DefaultBitrate
	}
	return min(p.MaxAverageBitrate, DefaultBitrate*2)
}

// bandwidth is the widest Opus bandwidth p's playback rate can use, as
// libopus's OPUS_BANDWIDTH_* value.
func (p Params) bandwidth() int {
	switch r := p.MaxPlaybackRate; {
	case r == 0 || r > 24000:
		return bandwidthFull
	case r > 16000:
		return bandwidthSuperWide
	case r > 12000:
		return bandwidthWide
	case r > 8000:
		return bandwidthMedium
	default:
		return bandwidthNarrow
	}
}

// libopus's OPUS_BANDWIDTH_* constants (opus_defines.h).
const (
	bandwidthNarrow    = 1101
	bandwidthMedium    = 1102
	bandwidthWide      = 1103
	bandwidthSuperWide = 1104
	bandwidthFull      = 1105
)

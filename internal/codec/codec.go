// Package codec is the engine's table of audio codecs: G.711 and G.722 from
// package audio (pure Go) and Opus from internal/codec/opus (libopus through cgo,
// where it is built in). New returns a codec ready for a call, adapted to the
// engine's rate; Format says how it is named in SDP.
package codec

import (
	"fmt"
	"strings"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// Format is how a codec is named in an SDP offer: rtpmap and fmtp.
type Format struct {
	Name      string // encoding name as in rtpmap: "PCMU", "G722", "opus"
	PT        uint8  // static payload type, or the dynamic one we offer
	ClockRate int    // RTP clock rate
	Channels  int    // rtpmap's encoding parameters; 0 leaves them out
	Fmtp      string // our format parameters; "" for none
}

// entry is one line of the table.
type entry struct {
	format Format
	// new builds the codec at its own rate; fmtp is the peer's format
	// parameters for it (how it wants to receive).
	new func(fmtp string) (audio.Codec, error)
}

// table lists every codec the engine may speak, in its default preference.
var table = []entry{
	{Format{Name: "opus", PT: opus.PayloadType, ClockRate: opus.ClockRate, Channels: 2, Fmtp: opus.Fmtp},
		func(fmtp string) (audio.Codec, error) { return opus.New(opus.ParseFmtp(fmtp)) }},
	{Format{Name: "G722", PT: audio.PayloadTypeG722, ClockRate: 8000},
		func(string) (audio.Codec, error) { return audio.NewG722(), nil }},
	{Format{Name: "PCMU", PT: audio.PayloadTypePCMU, ClockRate: 8000},
		func(string) (audio.Codec, error) { return audio.NewPCMU(), nil }},
	{Format{Name: "PCMA", PT: audio.PayloadTypePCMA, ClockRate: 8000},
		func(string) (audio.Codec, error) { return audio.NewPCMA(), nil }},
}

// lookup finds name's entry, case-insensitively, among the codecs this build has.
func lookup(name string) (entry, bool) {
	for _, e := range table {
		if strings.EqualFold(e.format.Name, name) && (e.format.Name != "opus" || opus.Available) {
			return e, true
		}
	}
	return entry{}, false
}

// Lookup returns name's SDP format, with the codec's own spelling of its name
// ("pcmu" gives "PCMU"); false for a codec this build does not have.
func Lookup(name string) (Format, bool) {
	e, ok := lookup(name)
	return e.format, ok
}

// New returns a new codec for name, adapted to the engine's rate (Adapt), set up
// for the peer's format parameters fmtp. It returns an error wrapping
// audio.ErrUnknownCodec for a codec this build does not have.
func New(name, fmtp string) (audio.Codec, error) {
	e, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("%w: %q", audio.ErrUnknownCodec, name)
	}
	c, err := e.new(fmtp)
	if err != nil {
		return nil, err
	}
	return Adapt(c), nil
}

// Names lists the codecs this build has, in the engine's default order of
// preference.
func Names() []string {
	var out []string
	for _, e := range table {
		if _, ok := lookup(e.format.Name); ok {
			out = append(out, e.format.Name)
		}
	}
	return out
}

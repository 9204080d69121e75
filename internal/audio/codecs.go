package audio

import (
	"fmt"
	"strings"
)

// codecFactories maps the upper-case SDP encoding name to a constructor. It is a
// read-only table: adding a codec means adding a line here.
var codecFactories = map[string]func() Codec{
	"PCMU": func() Codec { return NewPCMU() },
	"PCMA": func() Codec { return NewPCMA() },
}

// NewCodec returns a new G.711 codec, at its own rate, for the SDP encoding name,
// matched case-insensitively. The engine's table of every codec, adapted to its
// rate, is internal/codec.
//
// NewCodec returns a new codec for the SDP encoding name, matched case-insensitively
// ("pcmu", "PCMA"). It returns an error wrapping ErrUnknownCodec for any other name.
func NewCodec(name string) (Codec, error) {
	factory, ok := codecFactories[strings.ToUpper(name)]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCodec, name)
	}
	return factory(), nil
}

// CodecNames returns the encoding names NewCodec accepts, in the engine's order of
// preference (the order used in an SDP offer).
func CodecNames() []string {
	return []string{"PCMU", "PCMA"}
}

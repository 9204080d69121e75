//go:build !cgo

package opus

import (
	"errors"

	"github.com/wpservice/wpservice/internal/audio"
)

// Available reports that this build has no Opus: libopus needs cgo.
const Available = false

// ErrUnavailable is New's error in a build without cgo.
var ErrUnavailable = errors.New("opus: not in this build (no cgo)")

// Codec is never built without cgo.
type Codec struct{ audio.Codec }

// New fails: see the package's cgo build.
func New(Params) (*Codec, error) { return nil, ErrUnavailable }

//go:build !cgo

package device

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/audio"
)

// Built without cgo there is no miniaudio: the engine still builds (how the other
// platforms' code is vetted, and for tools), and every sound device fails to open
// with ErrNoBackend. An engine whose configuration asks for null or WAV audio never
// comes here.

var errNoCgo = fmt.Errorf("%w: built without cgo, so without miniaudio", ErrNoBackend)

// Duplex is the sound device of a cgo build; without cgo none ever opens.
type Duplex struct{}

var (
	_ audio.Source = (*Duplex)(nil)
	_ audio.Sink   = (*Duplex)(nil)
)

// Open fails: see the package's cgo build.
func Open(cfg Config) (*Duplex, error) {
	if _, err := candidateBackends(cfg.Backend); err != nil {
		return nil, err
	}
	return nil, errNoCgo
}

// List fails: see the package's cgo build.
func List(backend string) (inputs, outputs []Device, err error) {
	if _, err := candidateBackends(backend); err != nil {
		return nil, nil, err
	}
	return nil, nil, errNoCgo
}

func (*Duplex) ReadFrame([]int16) error  { return audio.ErrClosed }
func (*Duplex) WriteFrame([]int16) error { return audio.ErrClosed }
func (*Duplex) Backend() string          { return "" }
func (*Duplex) Stats() Stats             { return Stats{} }
func (*Duplex) Close() error             { return audio.ErrClosed }

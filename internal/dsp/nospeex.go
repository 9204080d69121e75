//go:build !cgo

package dsp

import "sync"

// Available reports whether this build processes audio: not without cgo.
func Available() bool { return false }

// Processor is, in a build without cgo, a stand-in that leaves audio as it is.
type Processor struct {
	mu       sync.Mutex
	features Features
}

// New returns ErrUnavailable, after checking the options as the real one does.
func New(o Options) (*Processor, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return nil, ErrUnavailable
}

// SetFeatures records f; nothing is processed.
func (p *Processor) SetFeatures(f Features) {
	p.mu.Lock()
	p.features = f
	p.mu.Unlock()
}

// Features reports what SetFeatures recorded.
func (p *Processor) Features() Features {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.features
}

// Playback does nothing.
func (p *Processor) Playback([]int16) {}

// Capture leaves near as it is.
func (p *Processor) Capture([]int16) {}

// Latency is 0: nothing is processed.
func (p *Processor) Latency() int { return 0 }

// Close does nothing.
func (p *Processor) Close() {}

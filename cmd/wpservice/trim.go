package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/wpservice/wpservice/internal/audio/endpoint"
	"github.com/wpservice/wpservice/internal/phone"
)

// settleTime is how long the engine stays idle before it trims its resident memory:
// after start-up, the time for the phone, the control server and the network watcher
// to have run their first steps; after a call, for what follows its end (the hang-up's
// transactions, the events to the pages) to be done, so that what they touch is not
// paged back in at once.
const settleTime = 2 * time.Second

// A trimmer gives back the resident pages of the engine's own code and read-only data
// (trimExecutable) each time the engine has settled into idle: after start-up, and
// after the sound device was last released (at the end of the last call, of the ring
// tone, of a page's level meter), as a desktop application trims its working set
// after initialisation. Those pages stay in the page cache: what an idle engine never
// runs costs it no memory, and what the next call runs comes back on first touch with
// a minor fault, no disk read. It is what the kernel reclaims first under memory
// pressure, done before the pressure comes.
type trimmer struct {
	trim   func() // trimExecutable; a counter in tests
	busy   atomic.Bool
	change chan struct{} // the device's use changed; holds at most one signal
}

func newTrimmer() *trimmer {
	return &trimmer{trim: func() { trimExecutable() }, change: make(chan struct{}, 1)}
}

// setBusy records whether the sound device is in use.
func (t *trimmer) setBusy(busy bool) {
	t.busy.Store(busy)
	select {
	case t.change <- struct{}{}:
	default: // a signal is pending already: the trimmer will read the latest state
	}
}

// run trims each time the device has been unused for settleTime, until ctx ends. It
// returns only then: a goroutine's exit reads the runtime's function table, which would
// page part of it back in at once; for the same reason it logs nothing.
func (t *trimmer) run(ctx context.Context) {
	for {
		if !t.busy.Load() {
			settled := time.NewTimer(settleTime)
			select {
			case <-ctx.Done():
				settled.Stop()
				return
			case <-t.change:
				settled.Stop()
				continue // used again before it settled: wait afresh
			case <-settled.C:
				t.trim()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.change:
		}
	}
}

// audio is the local audio endpoint as the phone sees it: it tells the trimmer when
// the device is taken and released.
func (t *trimmer) audio(e *endpoint.Endpoint) *trimmedAudio { return &trimmedAudio{e, t} }

// trimmedAudio is an audio endpoint that reports its use to a trimmer.
type trimmedAudio struct {
	*endpoint.Endpoint
	t *trimmer
}

var _ phone.RingerOutput = (*trimmedAudio)(nil)

// Use opens and closes the device as the endpoint does, and tells the trimmer.
func (a *trimmedAudio) Use(capture, playback bool) error {
	err := a.Endpoint.Use(capture, playback)
	a.t.setBusy(capture || playback)
	return err
}

package endpoint

import (
	"context"
	"time"

	"github.com/wpservice/wpservice/internal/audio/device"
)

// WatchInterval is how often Watch polls the device list.
const WatchInterval = 3 * time.Second

// watchFunc is device.Watch's signature, the seam tests script hot-plug through.
type watchFunc func(ctx context.Context, backend string, every time.Duration, onChange func(inputs, outputs []device.Device))

// Watch follows hot-plug until ctx is done: when the device list changes it updates
// what Devices reports and calls changed. It starts with a fresh listing, so that a
// change made while nobody watched is reported at once: the engine watches only
// while someone is there to tell (an idle engine polls nothing). It returns at once
// when neither side is a sound device. Run it on its own goroutine.
func (e *Endpoint) Watch(ctx context.Context, changed func()) {
	if !e.usesDevice() {
		return
	}
	if e.refresh() {
		changed()
	}
	e.watch(ctx, e.cfg.Backend, WatchInterval, func(inputs, outputs []device.Device) {
		if e.setLists(inputs, outputs) {
			changed()
		}
	})
}

// watchFromLists polls as device.Watch does, from the lists the endpoint knows rather
// than from a first listing of its own: a device that went away between the listing
// the endpoint holds and the watch's start (a headset unplugged as the device that
// uses it opened) is a change the first poll reports.
func (e *Endpoint) watchFromLists(ctx context.Context, backend string, every time.Duration, onChange func(inputs, outputs []device.Device)) {
	e.mu.Lock()
	inputs, outputs := e.inputs, e.outputs
	e.mu.Unlock()
	device.WatchFrom(ctx, backend, every, inputs, outputs, onChange)
}

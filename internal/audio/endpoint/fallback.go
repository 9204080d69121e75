package endpoint

import (
	"context"
	"slices"

	"github.com/wpservice/wpservice/internal/audio/device"
)

// A device chosen by id can go away while it is open: a USB headset unplugged
// mid-call. The sound device then reopens on the system's default in its place, so
// that the call goes on with sound, and the choice is kept: once the chosen device
// is listed again the sound device reopens on it. While the device is open its list
// is polled for this (every WatchInterval), whether or not a page watches the
// devices; an idle engine, which holds no device, polls nothing.

// available is sel with each chosen device the listing lacks replaced by the
// system's default. A side with no listing (none yet, or the backend lists
// nothing) keeps its choice. Caller holds e.mu.
func (e *Endpoint) available(sel selection) selection {
	if !listed(e.inputs, sel.input) {
		sel.input = "default"
	}
	if !listed(e.outputs, sel.output) {
		sel.output = "default"
	}
	return sel
}

func listed(list []device.Device, id string) bool {
	return id == "" || id == "default" || len(list) == 0 ||
		slices.ContainsFunc(list, func(d device.Device) bool { return d.ID == id })
}

// SetOnMove sets what is told each time the open device moves to the default or
// back to the chosen device (the phone's DevicesChanged: a devices.changed event
// says which devices are in use).
func (e *Endpoint) SetOnMove(f func()) {
	e.mu.Lock()
	e.onMove = f
	e.mu.Unlock()
}

// follow reopens the open device when the listing changed where it should be: the
// chosen device went away or came back. It reports whether the device moved.
func (e *Endpoint) follow() bool {
	e.useMu.Lock()
	defer e.useMu.Unlock()
	e.mu.Lock()
	sel, sides, old := e.sel, e.sides, e.duplex
	want := e.available(sel)
	moving := sides != 0 && (want.input != e.using.input || want.output != e.using.output)
	if moving {
		e.duplex, e.sides, e.using = nil, 0, selection{}
	}
	e.mu.Unlock()
	if !moving {
		return false
	}
	closeDevice(old, e.log) // gone already, or about to be replaced: closed first, as Use does
	if err := e.openDevice(sel, sides); err != nil {
		e.log.Warn("audio device: cannot reopen after the device list changed", "input", want.input, "output", want.output, "err", err)
		return true
	}
	e.log.Info("audio device moved", "input", want.input, "output", want.output, "chosen_input", sel.input, "chosen_output", sel.output)
	return true
}

// watchWhileOpen starts the watch that runs while the device is open, unless it
// runs already.
func (e *Endpoint) watchWhileOpen() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopWatch != nil || e.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.stopWatch = cancel
	e.watching.Add(1)
	go func() {
		defer e.watching.Done()
		e.watch(ctx, e.cfg.Backend, e.watchEvery, func(inputs, outputs []device.Device) {
			e.setLists(inputs, outputs)
			if e.follow() {
				e.mu.Lock()
				moved := e.onMove
				e.mu.Unlock()
				if moved != nil {
					moved()
				}
			}
		})
	}()
}

// stopWatching ends the watch that runs while the device is open. Caller holds e.mu.
func (e *Endpoint) stopWatching() {
	if e.stopWatch != nil {
		e.stopWatch()
		e.stopWatch = nil
	}
}

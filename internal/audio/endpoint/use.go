package endpoint

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wpservice/wpservice/internal/audio/device"
)

// Use opens the sound device for the sides the engine needs now (capture for the
// microphone, playback for the speaker) and closes it when the engine needs neither:
// the phone calls it as calls, the ringer and level meters come and go, so an idle
// engine holds no device. A change of sides reopens the device on the new ones.
//
// A WAV file or silence needs no device: that side is ready whatever Use says, and a
// WAV recording stays one file for the whole run. A device that cannot be opened
// leaves that side silent; the error says why, and calls still work.
func (e *Endpoint) Use(capture, playback bool) error {
	e.useMu.Lock()
	defer e.useMu.Unlock()
	var want device.Sides
	if capture && e.cfg.Input == "device" {
		want |= device.Capture
	}
	if playback && e.cfg.Output == "device" {
		want |= device.Playback
	}
	e.mu.Lock()
	sel, old, open := e.sel, e.duplex, e.sides
	if want != open {
		e.duplex, e.sides, e.using = nil, 0, selection{}
	}
	if want == 0 {
		e.stopWatching()
	}
	e.mu.Unlock()
	if want == open {
		return nil
	}
	// The device closes before it reopens: some systems let only one stream hold a
	// microphone at a time.
	closeDevice(old, e.log)
	if want == 0 {
		return nil
	}
	return e.openDevice(sel, want)
}

// closeWithin bounds the wait for a device to close. A device whose hardware went
// away can block in its backend for good (PulseAudio, a sink unloaded under a
// playing stream); the engine goes on without it rather than hang the phone.
const closeWithin = 2 * time.Second

// errCloseTimedOut reports a device whose close had not returned after closeWithin.
var errCloseTimedOut = fmt.Errorf("endpoint: the audio device did not close within %v; going on without it", closeWithin)

// closeInTime closes d, if any, waiting at most closeWithin; a close that takes
// longer finishes on its own.
func closeInTime(d *device.Duplex) error {
	if d == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- d.Close() }()
	t := time.NewTimer(closeWithin)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errCloseTimedOut
	}
}

// closeDevice closes d, if any, as closeInTime does, and logs a failure: there is
// nothing else to do about a device that does not close.
func closeDevice(d *device.Duplex, log *slog.Logger) {
	switch err := closeInTime(d); {
	case errors.Is(err, errCloseTimedOut):
		log.Warn("the audio device did not close in time; going on without waiting for it", "after", closeWithin)
	case err != nil:
		log.Debug("close the audio device", "err", err)
	}
}

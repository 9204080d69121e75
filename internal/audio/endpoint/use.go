package endpoint

import (
	"log/slog"

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
		e.duplex, e.sides = nil, 0
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

// closeDevice closes d, if any, and logs a failure: there is nothing else to do
// about a device that does not close.
func closeDevice(d *device.Duplex, log *slog.Logger) {
	if d == nil {
		return
	}
	if err := d.Close(); err != nil {
		log.Debug("close the audio device", "err", err)
	}
}

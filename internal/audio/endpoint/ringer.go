package endpoint

import (
	"sync"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/audio/device"
)

// The ringer is the device the ring tone plays on (Mizu setdevice role 2). While it is
// the device the speaker plays on, the ring tone is mixed into the speaker's stream.
// When another device is chosen, the ring tone plays on a playback stream of its own,
// opened on that device when the ring starts and closed once the ring has been
// silent for ringerIdle: the call's audio stays on the speaker. A ringer chosen while
// it rings moves the ring at once. A ringer whose stream cannot be opened rings in the
// speaker instead, until another ringer is chosen or the device list changes.
//
// The ringer starts as the configured speaker device; "default" is the system's
// default output, as for the speaker.

// ringerIdle is how long the ringer's stream stays open after its last frame: long
// enough for the pause in a ring cadence not to close it, short enough that an
// answered call does not keep a second device busy.
const ringerIdle = time.Second

// ringerState is the ringer's own stream. Its fields are guarded by Endpoint.mu.
type ringerState struct {
	duplex  *device.Duplex // the open stream, or nil
	on      string         // the device duplex plays on, or the one being opened
	opening bool           // a goroutine opens a stream on on
	failed  bool           // on could not be opened: the ring goes to the speaker until the ringer changes
	idle    *time.Timer    // closes the stream ringerIdle after the last frame
	opens   sync.WaitGroup // the goroutines opening a stream; Close waits for them
}

// Ringer is where the ring tone plays (the phone's RingerOutput): nil while the
// ringer is the speaker's device, or its stream could not be opened, which mixes the
// ring into the call's audio; the ringer's own stream when another device is chosen.
// A WAV or null speaker keeps only call audio: a recording of a call has no ring tone
// in it.
func (e *Endpoint) Ringer() audio.Sink {
	if e.cfg.Output != "device" {
		return audio.Discard{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ringer := e.ringerDevice()
	if ringer == e.speakerDevice() || (e.ring.failed && e.ring.on == ringer) {
		return nil
	}
	return ringerSink{e}
}

// ringerDevice is the device the ring tone should play on: the chosen ringer, or the
// system's default while the chosen one is not listed. Caller holds e.mu.
func (e *Endpoint) ringerDevice() string {
	if id := e.sel.ringer; id != "" && listed(e.outputs, id) {
		return id
	}
	return "default"
}

// speakerDevice is the device the speaker plays on, or would play on when it opens.
// Caller holds e.mu.
func (e *Endpoint) speakerDevice() string {
	if e.using.output != "" {
		return e.using.output
	}
	return e.available(e.sel).output
}

// ringerSink writes the ring tone to the ringer's own stream, opening it on the chosen
// device first. Frames are dropped while it opens: the media clock does not wait for
// a device.
type ringerSink struct{ e *Endpoint }

func (s ringerSink) WriteFrame(pcm []int16) error {
	e := s.e
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return audio.ErrClosed
	}
	want, r := e.ringerDevice(), &e.ring
	var stale *device.Duplex
	if r.on != want {
		stale, r.duplex, r.on, r.opening, r.failed = r.duplex, nil, want, false, false
	}
	if r.duplex == nil && !r.opening && !r.failed {
		r.opening = true
		r.opens.Go(func() { e.openRinger(want) })
	}
	if r.idle == nil {
		r.idle = time.AfterFunc(ringerIdle, e.restRinger)
	} else {
		r.idle.Reset(ringerIdle)
	}
	d := r.duplex
	e.mu.Unlock()
	if stale != nil {
		go closeDevice(stale, e.log)
	}
	if d == nil {
		return nil
	}
	return d.WriteFrame(pcm)
}

// openRinger opens the ringer's stream on id. A stream no longer wanted when it opens
// (the ringer changed, the ring ended or the endpoint closed meanwhile) is closed.
func (e *Endpoint) openRinger(id string) {
	d, err := e.openStream(device.Config{Backend: e.cfg.Backend, Output: id, Sides: device.Playback, Logger: e.log})
	e.mu.Lock()
	r := &e.ring
	wanted := !e.closed && r.opening && r.on == id
	if wanted {
		r.opening, r.failed = false, err != nil
		if err == nil {
			r.duplex = d
		}
	}
	e.mu.Unlock()
	switch {
	case err != nil:
		if wanted {
			e.log.Warn("ringer device unavailable; the ring plays on the speaker", "device", id, "err", err)
		}
	case !wanted:
		closeDevice(d, e.log)
	}
}

// restRinger closes the ringer's stream once the ring has stopped. A ringer that
// could not be opened stays so: the next ring goes to the speaker without trying it
// again.
func (e *Endpoint) restRinger() {
	e.mu.Lock()
	failed := e.ring.failed
	e.mu.Unlock()
	if !failed {
		e.closeRinger()
	}
}

// closeRinger closes the ringer's stream, if one is open or opening, and forgets
// which device it was for.
func (e *Endpoint) closeRinger() {
	e.mu.Lock()
	d := e.ring.duplex
	e.ring.duplex, e.ring.on, e.ring.opening, e.ring.failed = nil, "", false, false
	e.mu.Unlock()
	closeDevice(d, e.log)
}

package endpoint

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio/device"
)

// Devices is the device list and the selection, as devices.list reports them.
func (e *Endpoint) Devices() api.Devices {
	e.mu.Lock()
	defer e.mu.Unlock()
	return api.Devices{
		Backend:        e.backendName(),
		Inputs:         apiDevices(e.inputs),
		Outputs:        apiDevices(e.outputs),
		SelectedInput:  e.sel.input,
		SelectedOutput: e.sel.output,
		SelectedRinger: e.sel.ringer,
		UsingInput:     e.using.input,
		UsingOutput:    e.using.output,
	}
}

// Select chooses devices by id: an empty id keeps the current choice, "default" is
// the system's default device. A new microphone or speaker reopens the sound device
// when it is open; if that fails, the previous choice stays. While no device is open
// the choice waits for the next Use, and only the backend is checked. Errors wrap
// ErrNoDevice or ErrDeviceUnavailable.
func (e *Endpoint) Select(args api.DeviceSelectArgs) (api.Devices, error) {
	e.useMu.Lock()
	defer e.useMu.Unlock()
	e.mu.Lock()
	if err := e.checkListed(args); err != nil {
		e.mu.Unlock()
		return api.Devices{}, err
	}
	prev := e.sel
	e.sel = selection{
		input:  cmp.Or(args.Input, prev.input),
		output: cmp.Or(args.Output, prev.output),
		ringer: cmp.Or(args.Ringer, prev.ringer),
	}
	next, sides := e.sel, e.sides
	changed := e.usesDevice() && (next.input != prev.input || next.output != prev.output)
	e.mu.Unlock()
	if next.ringer != prev.ringer {
		e.closeRinger() // a ring under way moves to the new ringer with its next frame
	}
	if changed {
		err := device.CheckBackend(e.cfg.Backend)
		if err == nil && sides != 0 {
			err = e.openDevice(next, sides)
		}
		if err != nil {
			e.mu.Lock()
			e.sel = prev
			e.mu.Unlock()
			return api.Devices{}, fmt.Errorf("%w: %w", ErrDeviceUnavailable, err)
		}
	}
	return e.Devices(), nil
}

// checkListed refuses an id the device list does not have. Caller holds e.mu.
func (e *Endpoint) checkListed(args api.DeviceSelectArgs) error {
	for _, c := range []struct {
		role, id string
		list     []device.Device
	}{
		{"input", args.Input, e.inputs},
		{"output", args.Output, e.outputs},
		{"ringer", args.Ringer, e.outputs},
	} {
		listed := slices.ContainsFunc(c.list, func(d device.Device) bool { return d.ID == c.id })
		if c.id != "" && c.id != "default" && !listed {
			return fmt.Errorf("%w: %s %q", ErrNoDevice, c.role, c.id)
		}
	}
	return nil
}

// openDevice opens the sides of the sound device on sel and closes the one it
// replaces.
func (e *Endpoint) openDevice(sel selection, sides device.Sides) error {
	e.mu.Lock()
	at := e.available(sel)
	e.mu.Unlock()
	d, err := device.Open(device.Config{Backend: e.cfg.Backend, Input: at.input, Output: at.output, Sides: sides, Logger: e.log})
	if err != nil {
		return err
	}
	e.mu.Lock()
	if e.closed { // closed while this one opened
		e.mu.Unlock()
		closeDevice(d, e.log)
		return ErrClosed
	}
	old := e.duplex
	e.duplex, e.sides, e.backend, e.using = d, sides, d.Backend(), at
	e.mu.Unlock()
	e.watchWhileOpen()
	closeDevice(old, e.log)
	return nil
}

// refresh lists the devices now and reports whether the lists changed.
func (e *Endpoint) refresh() bool {
	in, out, err := device.List(e.cfg.Backend)
	if err != nil {
		e.log.Debug("list devices", "err", err)
		return false
	}
	return e.setLists(in, out)
}

// setLists records the device lists and reports whether they changed.
func (e *Endpoint) setLists(inputs, outputs []device.Device) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	changed := !slices.Equal(inputs, e.inputs) || !slices.Equal(outputs, e.outputs)
	e.inputs, e.outputs = inputs, outputs
	return changed
}

// backendName says what plays and records: while no device is open, the backend the
// last one opened on, or the configured one. Caller holds e.mu.
func (e *Endpoint) backendName() string {
	switch {
	case e.cfg.Input == "wav" || e.cfg.Output == "wav":
		return "wav"
	case e.duplex != nil:
		return e.duplex.Backend()
	case e.backend != "":
		return e.backend
	case e.usesDevice():
		return cmp.Or(e.cfg.Backend, "auto")
	}
	return "null"
}

func apiDevices(ds []device.Device) []api.Device {
	out := make([]api.Device, 0, len(ds))
	for _, d := range ds {
		out = append(out, api.Device{ID: d.ID, Name: d.Name, Default: d.Default})
	}
	return out
}

//go:build cgo

package device

import (
	"errors"
	"fmt"

	"github.com/gen2brain/malgo"
)

// List returns the capture (inputs) and playback (outputs) devices of a backend:
// "auto" (or "") for the first of the platform's backends that works, "null", or a
// backend name such as "alsa" or "wasapi". Device IDs are only meaningful within the
// backend that listed them.
func List(backend string) (inputs, outputs []Device, err error) {
	names, err := candidateBackends(backend)
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	for _, name := range names {
		inputs, outputs, err := listBackend(name)
		if err == nil {
			return inputs, outputs, nil
		}
		errs = append(errs, err)
	}
	return nil, nil, fmt.Errorf("%w: %w", ErrNoBackend, errors.Join(errs...))
}

func listBackend(name string) (inputs, outputs []Device, err error) {
	ctx, err := initContext(name, nil)
	if err != nil {
		return nil, nil, err
	}
	defer freeContext(ctx)
	if inputs, err = devicesOf(ctx.Context, malgo.Capture); err != nil {
		return nil, nil, fmt.Errorf("backend %s: listing capture devices: %w", name, err)
	}
	if outputs, err = devicesOf(ctx.Context, malgo.Playback); err != nil {
		return nil, nil, fmt.Errorf("backend %s: listing playback devices: %w", name, err)
	}
	return inputs, outputs, nil
}

func devicesOf(ctx malgo.Context, kind malgo.DeviceType) ([]Device, error) {
	infos, err := ctx.Devices(kind)
	if err != nil {
		return nil, err
	}
	devices := make([]Device, 0, len(infos))
	for _, info := range infos {
		devices = append(devices, Device{ID: info.ID.String(), Name: info.Name(), Default: info.IsDefault != 0})
	}
	return devices, nil
}

// findDevice returns the miniaudio ID of the device whose Device.ID is id.
func findDevice(ctx malgo.Context, kind malgo.DeviceType, id string) (malgo.DeviceID, error) {
	infos, err := ctx.Devices(kind)
	if err != nil {
		return malgo.DeviceID{}, err
	}
	for _, info := range infos {
		if info.ID.String() == id {
			return info.ID, nil
		}
	}
	return malgo.DeviceID{}, fmt.Errorf("%w: %s device %q", ErrDeviceNotFound, kindName(kind), id)
}

func kindName(kind malgo.DeviceType) string {
	if kind == malgo.Capture {
		return "capture"
	}
	return "playback"
}

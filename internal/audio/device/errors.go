package device

import "errors"

// Sentinel errors, wrapped with detail by the functions that return them.
var (
	// ErrUnknownBackend is returned for a Config.Backend (or List/Watch backend)
	// name this package does not know.
	ErrUnknownBackend = errors.New("device: unknown audio backend")
	// ErrNoBackend means no candidate backend could be initialised (for "auto": none
	// of the platform's usual backends is available).
	ErrNoBackend = errors.New("device: no usable audio backend")
	// ErrDeviceNotFound means a device ID in Config is not among the backend's
	// devices (unplugged, or an ID from another backend).
	ErrDeviceNotFound = errors.New("device: device not found")
	// ErrOpen means the backend refused to open or start the device.
	ErrOpen = errors.New("device: cannot open audio device")
)

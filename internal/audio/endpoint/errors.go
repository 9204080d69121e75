package endpoint

import "github.com/wpservice/wpservice/internal/api"

// Errors of Select, wrapped with the detail. They wrap the api conditions, so the
// control API reports them as not_found and unavailable.
var (
	// ErrNoDevice is a device id the backend does not list: unplugged, or an id from
	// another backend. devices.list shows the ids.
	ErrNoDevice = api.Sentinel("no such device; devices.list shows the ids", api.ErrNotFound)
	// ErrDeviceUnavailable is a listed device the backend could not open.
	ErrDeviceUnavailable = api.Sentinel("audio device unavailable", api.ErrUnavailable)
	// ErrClosed: the endpoint was closed (the engine is stopping).
	ErrClosed = api.Sentinel("audio endpoint closed", api.ErrUnavailable)
)

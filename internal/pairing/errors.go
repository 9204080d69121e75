package pairing

import "errors"

// Sentinel errors. Callers test them with errors.Is; messages never carry tokens or hashes.
var (
	// ErrBadOrigin: the origin is not of the form http(s)://host[:port].
	ErrBadOrigin = errors.New("pairing: bad origin")
	// ErrCoolingDown: the origin was denied recently and may not ask again yet.
	ErrCoolingDown = errors.New("pairing: origin denied recently")
	// ErrTooManyRequests: the global cap on pending requests or on the request rate is reached.
	ErrTooManyRequests = errors.New("pairing: too many pairing requests")
	// ErrNoPending: there is no live pending request for the origin.
	ErrNoPending = errors.New("pairing: no pending request for origin")
	// ErrNotPaired: the origin has no pairing.
	ErrNotPaired = errors.New("pairing: origin not paired")
	// ErrBadToken: the token does not match the one issued to this origin.
	ErrBadToken = errors.New("pairing: bad token")
	// ErrRateLimited: too many failed token checks for this origin in the last minute.
	ErrRateLimited = errors.New("pairing: too many failed token checks")
	// ErrBadPermission: the permission is not one a pairing can hold (Control or Account),
	// or an approval grants more than the site asked for.
	ErrBadPermission = errors.New("pairing: bad permission")
	// ErrHasPermission: the paired origin already holds the permission it asks for.
	ErrHasPermission = errors.New("pairing: origin already has that permission")
	// ErrConfig: the Config is invalid.
	ErrConfig = errors.New("pairing: invalid config")
	// ErrInsecureFile: the pairing file or its directory is readable or writable by others.
	ErrInsecureFile = errors.New("pairing: pairing file is not owner-only")
	// ErrCorruptFile: the pairing file cannot be decoded or holds invalid entries.
	ErrCorruptFile = errors.New("pairing: corrupt pairing file")
)

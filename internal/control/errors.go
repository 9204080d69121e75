package control

import "errors"

// Errors returned by New, Start and Close.
var (
	// ErrHandlers is returned by New when a command declared in internal/api has no
	// handler, or two, or a handler names an undeclared command.
	ErrHandlers = errors.New("control: command handlers do not match the declared commands")
	// ErrNoBackend is returned by New when the backend is nil.
	ErrNoBackend = errors.New("control: no backend")
	// ErrInvalidPort is returned by New for a port outside 0..65535.
	ErrInvalidPort = errors.New("control: invalid port")
	// ErrInvalidOrigin is returned by New for an AllowedOrigins entry that is not a
	// plain http(s)://host[:port] origin.
	ErrInvalidOrigin = errors.New("control: invalid allowed origin")
	// ErrNoPort is returned by Start when neither the preferred port nor any fallback
	// could be bound on loopback.
	ErrNoPort = errors.New("control: no loopback port available")
	// ErrStarted is returned by Start when the server was already started.
	ErrStarted = errors.New("control: already started")
	// ErrNoRemoteHosts is returned by ServeRemote without host names.
	ErrNoRemoteHosts = errors.New("control: remote mode needs host names")
	// ErrClosed is returned by Start after Close.
	ErrClosed = errors.New("control: server closed")
)

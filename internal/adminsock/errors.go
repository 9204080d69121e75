package adminsock

import "errors"

// Sentinel errors. Callers test them with errors.Is; the returned errors wrap
// them with the path and, where there is one, the underlying system error.
var (
	// ErrNotRunning: nothing listens at the admin path (no socket, a stale
	// socket or no pipe), so the engine is not running.
	ErrNotRunning = errors.New("adminsock: engine not running")
	// ErrInUse: a live engine already answers at the admin path.
	ErrInUse = errors.New("adminsock: admin channel already in use by a running engine")
	// ErrPathTooLong: the socket path does not fit in sun_path (107 bytes on
	// Linux, 103 on macOS and the BSDs, leaving room for the terminating NUL).
	ErrPathTooLong = errors.New("adminsock: socket path too long")
	// ErrInsecureDir: the socket's directory is a symlink, is not owned by the
	// current user, or grants any access to group or others.
	ErrInsecureDir = errors.New("adminsock: socket directory is not owner-only")
	// ErrSymlink: the socket path itself is a symbolic link.
	ErrSymlink = errors.New("adminsock: socket path is a symlink")
	// ErrNotSocket: something other than a socket already exists at the path;
	// it is left alone.
	ErrNotSocket = errors.New("adminsock: path exists and is not a socket")
	// ErrNoPeerCred: this OS offers no way to read a Unix socket peer's
	// credentials, so every connection is refused.
	ErrNoPeerCred = errors.New("adminsock: peer credentials not supported on this OS")
)

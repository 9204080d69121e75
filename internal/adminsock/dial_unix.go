//go:build unix

package adminsock

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"syscall"
)

// Dial connects to the engine's admin socket at path. When no engine is
// running (no socket file, or a stale one nobody answers on) the error wraps
// ErrNotRunning; a socket the caller may not open gives the system error
// (EACCES), not ErrNotRunning.
func Dial(ctx context.Context, path string) (net.Conn, error) {
	if err := checkPathLen(path); err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
		return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
	}
	if err != nil {
		return nil, fmt.Errorf("adminsock: dial: %w", err)
	}
	return conn, nil
}

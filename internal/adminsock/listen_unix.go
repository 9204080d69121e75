//go:build unix

package adminsock

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// socketMode is the mode of the socket file: only the owner may connect.
const socketMode fs.FileMode = 0o600

// probeTimeout bounds the dial that tells a live engine from a stale socket.
const probeTimeout = 2 * time.Second

// Listen creates the admin socket at path and returns a listener whose Accept
// hands out only connections from the current user.
//
// The directory of path is created with mode 0700 when missing and refused
// (ErrInsecureDir) when it is a symlink, belongs to someone else or grants any
// access to group or others. A symlink at path is refused (ErrSymlink), and so
// is any other file that is not a socket (ErrNotSocket). A socket left behind
// by an engine that died is replaced; one that still answers gives ErrInUse.
// The socket is bound inside the owner-only directory and then set to 0600,
// so no other user can reach it at any moment. Close removes the socket file.
//
// Accept reads each peer's credentials from the kernel and closes, with a
// warning on log, every connection whose uid is not the engine's own; then it
// keeps accepting. A nil log discards those warnings.
func Listen(path string, log *slog.Logger) (net.Listener, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := checkPathLen(path); err != nil {
		return nil, err
	}
	if err := prepareDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if err := clearStale(path); err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%w: %s", ErrInUse, path)
	}
	if err != nil {
		return nil, fmt.Errorf("adminsock: listen: %w", err)
	}
	// Close removes the file itself, and only while it is still ours.
	ln.SetUnlinkOnClose(false)
	sock, err := secureSocket(path)
	if err != nil {
		ln.Close()
		os.Remove(path)
		return nil, err
	}
	l := &listener{ln: ln, path: path, sock: sock, uid: os.Geteuid(), log: log}
	log.Info("admin socket listening", "path", path)
	return l, nil
}

// prepareDir creates dir with mode 0700 when missing and checks that it is an
// owner-only directory and not a symlink.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("adminsock: create socket directory: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("adminsock: socket directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is a symlink or not a directory", ErrInsecureDir, dir)
	}
	return ownerOnly(dir, fi)
}

// clearStale makes room at path: nothing there is fine, a socket nobody
// answers on is removed, anything else is refused.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("adminsock: %w", err)
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: %s", ErrSymlink, path)
	case fi.Mode()&fs.ModeSocket == 0:
		return fmt.Errorf("%w: %s", ErrNotSocket, path)
	}
	conn, err := net.DialTimeout("unix", path, probeTimeout)
	switch {
	case err == nil:
		conn.Close()
		return fmt.Errorf("%w: %s", ErrInUse, path)
	case errors.Is(err, syscall.EAGAIN):
		// The backlog is full: an engine is there, just busy.
		return fmt.Errorf("%w: %s", ErrInUse, path)
	case !errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("adminsock: probe existing socket: %w", err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("adminsock: remove stale socket: %w", err)
	}
	return nil
}

// secureSocket sets the freshly bound socket at path to socketMode and
// returns its identity, so that Close removes this file and no later one.
func secureSocket(path string) (fs.FileInfo, error) {
	if err := os.Chmod(path, socketMode); err != nil {
		return nil, fmt.Errorf("adminsock: chmod socket: %w", err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("adminsock: stat socket: %w", err)
	}
	return fi, nil
}

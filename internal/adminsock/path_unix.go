//go:build unix

package adminsock

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// appDir and socketName make up the tail of the default socket path.
const (
	appDir     = "wpservice"
	socketName = "admin.sock"
)

// maxPathLen is the longest socket path the kernel accepts: sun_path minus
// its terminating NUL (107 bytes on Linux, 103 on macOS and the BSDs).
const maxPathLen = len(unix.RawSockaddrUnix{}.Path) - 1

// DefaultPath returns where the engine listens and the CLI dials.
//
// On Linux and the BSDs it is $XDG_RUNTIME_DIR/wpservice/admin.sock when
// XDG_RUNTIME_DIR is set and is a directory owned by the current user with no
// group or other access; otherwise, as on macOS, it is
// <os.UserConfigDir()>/wpservice/admin.sock. A path that does not fit in
// sun_path gives ErrPathTooLong.
func DefaultPath() (string, error) {
	base, err := baseDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(base, appDir, socketName)
	if err := checkPathLen(path); err != nil {
		return "", err
	}
	return path, nil
}

// baseDir picks the directory under which the wpservice directory lives.
func baseDir() (string, error) {
	if runtime.GOOS != "darwin" && runtime.GOOS != "ios" {
		if dir := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(dir) {
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() && ownerOnly(dir, fi) == nil {
				return dir, nil
			}
		}
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("adminsock: no directory for the admin socket: %w", err)
	}
	return dir, nil
}

// checkPathLen refuses a path the kernel would reject with a bare EINVAL.
func checkPathLen(path string) error {
	if len(path) > maxPathLen {
		return fmt.Errorf("%w: %d bytes, at most %d allowed on %s: %s",
			ErrPathTooLong, len(path), maxPathLen, runtime.GOOS, path)
	}
	return nil
}

// ownerOnly reports ErrInsecureDir unless dir, described by fi, belongs to the
// effective user and grants nothing to group or others.
func ownerOnly(dir string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%w: cannot read the owner of %s", ErrInsecureDir, dir)
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: %s is owned by uid %d, not %d", ErrInsecureDir, dir, st.Uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %#o, want 0700", ErrInsecureDir, dir, perm)
	}
	return nil
}

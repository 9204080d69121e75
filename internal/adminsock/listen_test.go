//go:build unix

package adminsock

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListenDialRoundTrip(t *testing.T) {
	path := socketPath(t)
	ln := listen(t, path, nil)
	serveEcho(t, ln)

	roundTrip(t, path)

	sock, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if sock.Mode().Type() != fs.ModeSocket || sock.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, want a socket with 0600", sock.Mode())
	}
	dir, err := os.Lstat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if !dir.IsDir() || dir.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, want a directory with 0700", dir.Mode())
	}

	if err := ln.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Close, Lstat(socket) = %v, want not exist", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close = %v, want net.ErrClosed", err)
	}
	if err := ln.Close(); err != nil {
		t.Errorf("second Close = %v, want the first result (nil)", err)
	}
}

func TestListenReplacesStaleSocket(t *testing.T) {
	path := socketPath(t)
	staleSocket(t, path)

	ln := listen(t, path, nil)
	serveEcho(t, ln)
	roundTrip(t, path)
}

func TestListenRefusesLiveEngine(t *testing.T) {
	path := socketPath(t)
	first := listen(t, path, nil)
	serveEcho(t, first)

	if ln, err := Listen(path, nil); !errors.Is(err, ErrInUse) {
		if err == nil {
			ln.Close()
		}
		t.Fatalf("second Listen = %v, want ErrInUse", err)
	}
	// The running engine keeps its socket.
	roundTrip(t, path)
}

func TestListenRefuses(t *testing.T) {
	tests := []struct {
		name  string
		root  bool                                  // needs root
		setup func(t *testing.T, path string) error // prepares the bad layout
		want  error
	}{
		{
			name: "symlink at socket path",
			setup: func(t *testing.T, path string) error {
				target := filepath.Join(t.TempDir(), "elsewhere.sock")
				staleSocket(t, target)
				return os.Symlink(target, path)
			},
			want: ErrSymlink,
		},
		{
			name:  "regular file at socket path",
			setup: func(t *testing.T, path string) error { return os.WriteFile(path, []byte("keep me"), 0o600) },
			want:  ErrNotSocket,
		},
		{
			name:  "group-writable directory",
			setup: func(t *testing.T, path string) error { return os.Chmod(filepath.Dir(path), 0o770) },
			want:  ErrInsecureDir,
		},
		{
			name:  "other-writable directory",
			setup: func(t *testing.T, path string) error { return os.Chmod(filepath.Dir(path), 0o703) },
			want:  ErrInsecureDir,
		},
		{
			name:  "group-readable directory",
			setup: func(t *testing.T, path string) error { return os.Chmod(filepath.Dir(path), 0o750) },
			want:  ErrInsecureDir,
		},
		{
			name: "symlinked directory",
			setup: func(t *testing.T, path string) error {
				dir := filepath.Dir(path)
				real := filepath.Join(filepath.Dir(dir), "real")
				if err := os.Rename(dir, real); err != nil {
					return err
				}
				return os.Symlink(real, dir)
			},
			want: ErrInsecureDir,
		},
		{
			name:  "directory owned by another user",
			root:  true,
			setup: func(t *testing.T, path string) error { return os.Chown(filepath.Dir(path), 65534, 65534) },
			want:  ErrInsecureDir,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root {
				requireRoot(t)
			}
			path := socketPath(t)
			if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := tt.setup(t, path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Lstat(path)

			ln, err := Listen(path, nil)
			if err == nil {
				ln.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Listen = %v, want %v", err, tt.want)
			}
			after, _ := os.Lstat(path)
			if (before == nil) != (after == nil) || (before != nil && !os.SameFile(before, after)) {
				t.Errorf("Listen changed what was at the socket path")
			}
		})
	}
}

func TestListenPathLength(t *testing.T) {
	tests := []struct {
		name string
		len  int
		want error
	}{
		{"longest allowed", maxPathLen, nil},
		{"one byte too long", maxPathLen + 1, ErrPathTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := pathOfLen(t, filepath.Join(t.TempDir(), appDir), tt.len)
			ln, err := Listen(path, nil)
			if err == nil {
				defer ln.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Listen(%d-byte path) = %v, want %v", len(path), err, tt.want)
			}
			conn, err := Dial(t.Context(), path)
			if err == nil {
				conn.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Dial(%d-byte path) = %v, want %v", len(path), err, tt.want)
			}
		})
	}
}

// pathOfLen returns a path of exactly n bytes: a file in dir with a padded name.
func pathOfLen(t *testing.T, dir string, n int) string {
	t.Helper()
	pad := n - len(dir) - 1
	if pad < 1 || pad > 255 {
		t.Fatalf("cannot build a %d-byte path under the %d-byte %s", n, len(dir), dir)
	}
	return filepath.Join(dir, strings.Repeat("s", pad))
}

func TestCloseLeavesAReplacedSocket(t *testing.T) {
	path := socketPath(t)
	old := listen(t, path, nil)
	// Someone removed the old engine's socket and a new engine took the path.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	ln := listen(t, path, nil)
	serveEcho(t, ln)

	if err := old.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	roundTrip(t, path)
}

func TestDialNotRunning(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"no socket file", func(t *testing.T, path string) {}},
		{"stale socket file", staleSocket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := socketPath(t)
			tt.setup(t, path)
			conn, err := Dial(context.Background(), path)
			if err == nil {
				conn.Close()
			}
			if !errors.Is(err, ErrNotRunning) {
				t.Fatalf("Dial = %v, want ErrNotRunning", err)
			}
		})
	}
}

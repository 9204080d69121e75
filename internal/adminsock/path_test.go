//go:build linux

package adminsock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name    string
		runtime func(t *testing.T) string // XDG_RUNTIME_DIR value
		inRun   bool                      // want the socket under XDG_RUNTIME_DIR
	}{
		{"owner-only runtime dir", func(t *testing.T) string {
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			return dir
		}, true},
		{"no runtime dir", func(t *testing.T) string { return "" }, false},
		{"relative runtime dir", func(t *testing.T) string { return "run/user/1000" }, false},
		{"missing runtime dir", func(t *testing.T) string { return filepath.Join(t.TempDir(), "gone") }, false},
		{"group-readable runtime dir", func(t *testing.T) string {
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			return dir
		}, false},
		{"runtime path is a file", func(t *testing.T) string {
			file := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(file, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return file
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := t.TempDir()
			run := tt.runtime(t)
			t.Setenv("XDG_CONFIG_HOME", config)
			t.Setenv("XDG_RUNTIME_DIR", run)

			got, err := DefaultPath()
			if err != nil {
				t.Fatalf("DefaultPath: %v", err)
			}
			want := filepath.Join(config, "wpservice", "admin.sock")
			if tt.inRun {
				want = filepath.Join(run, "wpservice", "admin.sock")
			}
			if got != want {
				t.Errorf("DefaultPath = %q, want %q", got, want)
			}
		})
	}
}

func TestDefaultPathLength(t *testing.T) {
	tail := len("/wpservice/admin.sock")
	tests := []struct {
		name    string
		pathLen int
		want    error
	}{
		{"longest allowed", maxPathLen, nil},
		{"one byte too long", maxPathLen + 1, ErrPathTooLong},
		{"far too long", maxPathLen + 60, ErrPathTooLong},
	}
	for _, env := range []string{"XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"} {
		for _, tt := range tests {
			t.Run(env+"/"+tt.name, func(t *testing.T) {
				base := t.TempDir()
				dir := filepath.Join(base, strings.Repeat("d", tt.pathLen-tail-len(base)-1))
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				t.Setenv("XDG_RUNTIME_DIR", "")
				t.Setenv("XDG_CONFIG_HOME", t.TempDir())
				t.Setenv(env, dir)

				got, err := DefaultPath()
				if !errors.Is(err, tt.want) {
					t.Fatalf("DefaultPath = %q, %v; want error %v", got, err, tt.want)
				}
				if err != nil && !strings.Contains(err.Error(), dir) {
					t.Errorf("error %q does not name the path", err)
				}
				if err == nil && len(got) != tt.pathLen {
					t.Errorf("DefaultPath is %d bytes, want %d", len(got), tt.pathLen)
				}
			})
		}
	}
}

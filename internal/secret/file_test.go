package secret

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// newFile returns a File in a fresh owner-only directory, with the file not yet created.
func newFile(t *testing.T) *File {
	t.Helper()
	return &File{Path: filepath.Join(t.TempDir(), "wpservice", "secrets.json")}
}

func TestFileRoundTrip(t *testing.T) {
	f := newFile(t)
	if err := f.Set("account:1", "hunter2"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("account:2", "correct horse"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("account:1", "hunter3"); err != nil {
		t.Fatal(err)
	}
	// A second File on the same path sees what the first wrote.
	again := &File{Path: f.Path}
	for name, want := range map[string]string{"account:1": "hunter3", "account:2": "correct horse"} {
		got, err := again.Get(name)
		if err != nil || got != want {
			t.Errorf("Get(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if f.Kind() != KindFile {
		t.Errorf("Kind() = %q, want %q", f.Kind(), KindFile)
	}
}

func TestFileNotFound(t *testing.T) {
	f := newFile(t)
	if _, err := f.Get("account:1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get with no file: err = %v, want ErrNotFound", err)
	}
	if err := f.Set("account:1", "hunter2"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get("account:9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing name: err = %v, want ErrNotFound", err)
	}
}

func TestFileDelete(t *testing.T) {
	f := newFile(t)
	if err := f.Delete("account:1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete with no file: err = %v, want ErrNotFound", err)
	}
	if err := f.Set("account:1", "hunter2"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("account:2", "swordfish"); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete("account:9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete of a missing name: err = %v, want ErrNotFound", err)
	}
	if err := f.Delete("account:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get("account:1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if got, err := f.Get("account:2"); err != nil || got != "swordfish" {
		t.Fatalf("Delete took a neighbour with it: Get = %q, %v", got, err)
	}
}

func TestFileEmptyName(t *testing.T) {
	f := newFile(t)
	if err := f.Set("", "x"); !errors.Is(err, ErrBadName) {
		t.Errorf("Set: err = %v, want ErrBadName", err)
	}
	if _, err := f.Get(""); !errors.Is(err, ErrBadName) {
		t.Errorf("Get: err = %v, want ErrBadName", err)
	}
	if err := f.Delete(""); !errors.Is(err, ErrBadName) {
		t.Errorf("Delete: err = %v, want ErrBadName", err)
	}
}

func TestFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix mode bits on Windows")
	}
	f := newFile(t)
	if err := f.Set("account:1", "hunter2"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %v, want 0600", got)
	}
	di, err := os.Stat(filepath.Dir(f.Path))
	if err != nil {
		t.Fatal(err)
	}
	if got := di.Mode().Perm(); got != 0o700 {
		t.Errorf("directory mode = %v, want 0700", got)
	}
}

func TestFileRefusesOpenFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix mode bits on Windows")
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o666} {
		t.Run(mode.String(), func(t *testing.T) {
			f := newFile(t)
			if err := f.Set("account:1", "hunter2"); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(f.Path, mode); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Get("account:1"); !errors.Is(err, ErrInsecureFile) {
				t.Errorf("Get: err = %v, want ErrInsecureFile", err)
			}
			if err := f.Set("account:2", "x"); !errors.Is(err, ErrInsecureFile) {
				t.Errorf("Set: err = %v, want ErrInsecureFile", err)
			}
			if err := f.Delete("account:1"); !errors.Is(err, ErrInsecureFile) {
				t.Errorf("Delete: err = %v, want ErrInsecureFile", err)
			}
		})
	}
}

func TestFileRefusesOpenDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix mode bits on Windows")
	}
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // explicit: Mkdir is subject to umask
		t.Fatal(err)
	}
	f := &File{Path: filepath.Join(dir, "secrets.json")}
	if err := f.Set("account:1", "hunter2"); !errors.Is(err, ErrInsecureFile) {
		t.Fatalf("Set: err = %v, want ErrInsecureFile", err)
	}
	if _, err := os.Stat(f.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the secret was written anyway: stat err = %v", err)
	}
}

func TestFileCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"not json", `hunter2 is the password`},
		{"truncated", `{"version":1,"secrets":{"a":"hunter2"`},
		{"stray byte", `{"version":1,"secrets":{"a":"hunter2"}x`},
		{"wrong version", `{"version":2,"secrets":{"a":"hunter2"}}`},
		{"no version", `{"secrets":{"a":"hunter2"}}`},
		{"wrong type", `{"version":1,"secrets":["hunter2"]}`},
		{"array", `["hunter2"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFile(t)
			if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f.Path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := f.Get("a")
			if !errors.Is(err, ErrCorruptFile) {
				t.Fatalf("err = %v, want ErrCorruptFile", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error quotes the file's secret: %v", err)
			}
		})
	}
}

func TestFileConcurrentSet(t *testing.T) {
	f := newFile(t)
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- f.Set(fmt.Sprintf("account:%d", i), fmt.Sprintf("pw-%d", i))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Every write survived: none was lost to an interleaved read-modify-write.
	for i := range n {
		name := fmt.Sprintf("account:%d", i)
		if got, err := f.Get(name); err != nil || got != fmt.Sprintf("pw-%d", i) {
			t.Errorf("Get(%q) = %q, %v", name, got, err)
		}
	}
}

func TestFileErrorsNeverCarryTheSecret(t *testing.T) {
	const secret = "s3cr3t-hunter2-value"
	// The parent of the secrets file is a regular file, so the directory cannot be made.
	blocker := filepath.Join(t.TempDir(), "blocker")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f := &File{Path: filepath.Join(blocker, "secrets.json")}
	err := f.Set("account:1", secret)
	if err == nil {
		t.Fatal("Set under a regular file succeeded")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error carries the secret: %v", err)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		value string
		want  string
	}{
		{"masks the value", errors.New("bad item pw=hunter2 here"), "hunter2", "bad item pw=[redacted] here"},
		{"every occurrence", errors.New("hunter2/hunter2"), "hunter2", "[redacted]/[redacted]"},
		{"leaves others alone", errors.New("no such bus"), "hunter2", "no such bus"},
		{"empty value", errors.New("no such bus"), "", "no such bus"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact(tc.err, tc.value).Error(); got != tc.want {
				t.Errorf("redact = %q, want %q", got, tc.want)
			}
		})
	}
	if redact(nil, "x") != nil {
		t.Error("redact(nil) is not nil")
	}
	sentinel := fmt.Errorf("wrapped: %w", ErrTimeout)
	if !errors.Is(redact(sentinel, "hunter2"), ErrTimeout) {
		t.Error("redact broke the chain of an error without the secret")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"version":1,"secrets":{"account:1":"hunter2"}}`))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"secrets":null}`))
	f.Add([]byte(`{"version":2,"secrets":{}}`))
	f.Add([]byte(`{"version":1,"secrets":{"a":1}}`))
	f.Add([]byte("\xff\xfe{"))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		secrets, err := decode(data)
		if err != nil {
			if !errors.Is(err, ErrCorruptFile) {
				t.Fatalf("err = %v, want ErrCorruptFile", err)
			}
			return
		}
		if secrets == nil {
			t.Fatal("nil map without error")
		}
	})
}

package store

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A write that a crash interrupted leaves its temporary file; opening the store at the
// next start removes it, and nothing else.
func TestOpenRemovesLeftoversOfInterruptedWrites(t *testing.T) {
	dir := t.TempDir()
	leftover := filepath.Join(dir, tempPrefix+"123456")
	if err := os.WriteFile(leftover, []byte(`{"secrets":{"sip-password:x":"old"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{"account.json", ".ca.key.tmp1", "tmp-notes"} {
		if err := os.WriteFile(filepath.Join(dir, keep), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{".ca.key.tmp1", "account.json", "tmp-notes"}) {
		t.Fatalf("after Open the directory holds %v", got)
	}
}

func TestWriteFileLeavesOnlyTheTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.json")
	for _, data := range []string{"one", "two"} {
		if err := WriteFile(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(t, dir); !slices.Equal(got, []string{"secrets.json"}) {
		t.Fatalf("directory holds %v", got)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	if data, _ := os.ReadFile(path); string(data) != "two" {
		t.Fatalf("content %q", data)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

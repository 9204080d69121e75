package localca

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSaveRemovesLeftovers: the temporary files a crash left in the directory,
// which may hold a private key, are gone after the next Save, whether store wrote
// them or the writes before it; only the four files remain.
func TestSaveRemovesLeftovers(t *testing.T) {
	ca, leaf, dir := saved(t)
	for _, name := range []string{".tmp-123456", "." + CAKeyFile + ".tmp987", "." + LeafKeyFile + ".tmp42"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("-----BEGIN PRIVATE KEY-----"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := ca.Save(dir, leaf); err != nil {
		t.Fatalf("Save: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{CACertFile, CAKeyFile, LeafCertFile, LeafKeyFile}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("directory holds %q, want %q", names, want)
	}
	if _, _, err := Load(dir); err != nil {
		t.Fatalf("Load after Save: %v", err)
	}
}

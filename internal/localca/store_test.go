package localca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/tls"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func saved(t *testing.T) (*CA, tls.Certificate, string) {
	t.Helper()
	ca, leaf := newCA(t)
	dir := filepath.Join(t.TempDir(), "tls")
	if err := ca.Save(dir, leaf); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return ca, leaf, dir
}

func TestSaveFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	ca, leaf := newCA(t)
	dir := filepath.Join(t.TempDir(), "tls")
	if err := os.Mkdir(dir, 0o755); err != nil { // a loose directory is tightened
		t.Fatal(err)
	}
	if err := ca.Save(dir, leaf); err != nil {
		t.Fatalf("Save: %v", err)
	}
	tests := []struct {
		file string
		want fs.FileMode
	}{
		{".", 0o700},
		{CACertFile, 0o644},
		{CAKeyFile, 0o600},
		{LeafCertFile, 0o644},
		{LeafKeyFile, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			info, err := os.Stat(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := info.Mode().Perm(); got != tt.want {
				t.Fatalf("mode = %o, want %o", got, tt.want)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Fatalf("directory holds %d entries, want 4 (no temporary files left)", len(entries))
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	ca, leaf, dir := saved(t)
	got, gotLeaf, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Fingerprint() != ca.Fingerprint() {
		t.Fatal("root changed across Save/Load")
	}
	if !got.HasKey() || !caKey(t, got).Equal(caKey(t, ca)) {
		t.Fatal("CA key changed across Save/Load")
	}
	if !bytes.Equal(gotLeaf.Certificate[0], leaf.Certificate[0]) || gotLeaf.Leaf == nil {
		t.Fatal("leaf changed across Save/Load")
	}
	if !gotLeaf.PrivateKey.(*ecdsa.PrivateKey).Equal(leaf.PrivateKey) {
		t.Fatal("leaf key changed across Save/Load")
	}
	next, err := got.IssueLeaf(testNow)
	if err != nil {
		t.Fatalf("IssueLeaf after Load: %v", err)
	}
	if err := ca.Verify(next.Leaf, testNow); err != nil {
		t.Fatalf("leaf from loaded CA: %v", err)
	}
}

func TestDestroyKey(t *testing.T) {
	ca, _, dir := saved(t)
	if err := ca.DestroyKey(dir); err != nil {
		t.Fatalf("DestroyKey: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, CAKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ca.key still on disk: %v", err)
	}
	if ca.HasKey() {
		t.Fatal("key still in memory")
	}
	if _, err := ca.IssueLeaf(testNow); !errors.Is(err, ErrNoCAKey) {
		t.Fatalf("IssueLeaf = %v, want ErrNoCAKey", err)
	}
	if err := ca.DestroyKey(dir); err != nil {
		t.Fatalf("second DestroyKey: %v", err)
	}

	loaded, leaf, err := Load(dir)
	if err != nil {
		t.Fatalf("Load without ca.key: %v", err)
	}
	if loaded.HasKey() {
		t.Fatal("loaded CA has a key")
	}
	if _, err := loaded.IssueLeaf(testNow); !errors.Is(err, ErrNoCAKey) {
		t.Fatalf("IssueLeaf on loaded CA = %v, want ErrNoCAKey", err)
	}
	if _, err := leaf.Leaf.Verify(verifyOpts(loaded, "localhost")); err != nil {
		t.Fatalf("loaded leaf does not verify: %v", err)
	}
}

// TestSaveWithoutKeyRemovesStaleKey: saving a key-less CA over a directory
// that still holds ca.key must not leave the old key behind.
func TestSaveWithoutKeyRemovesStaleKey(t *testing.T) {
	ca, leaf, dir := saved(t)
	if err := ca.DestroyKey(t.TempDir()); err != nil { // memory only
		t.Fatal(err)
	}
	if err := ca.Save(dir, leaf); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, CAKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stale ca.key kept: %v", err)
	}
}

func TestSaveRejectsForeignLeaf(t *testing.T) {
	ca, leaf := newCA(t)
	_, foreign := newCA(t)
	_, otherLeaf := newCA(t)
	mixed := leaf
	mixed.PrivateKey = otherLeaf.PrivateKey
	tests := []struct {
		name string
		leaf tls.Certificate
		want error
	}{
		{"empty", tls.Certificate{}, ErrLeafNotTrusted},
		{"other root's leaf", foreign, ErrLeafNotTrusted},
		{"wrong leaf key", mixed, ErrKeyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tls")
			if err := ca.Save(dir, tt.leaf); !errors.Is(err, tt.want) {
				t.Fatalf("Save = %v, want %v", err, tt.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Fatal("rejected Save wrote files")
			}
		})
	}
}

func TestLoadRejects(t *testing.T) {
	_, _, otherDir := saved(t)
	copyFrom := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			data, err := os.ReadFile(filepath.Join(otherDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	write := func(name, content string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		want   error
		posix  bool
	}{
		{"missing root", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, CACertFile)) }, fs.ErrNotExist, false},
		{"missing leaf", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, LeafCertFile)) }, fs.ErrNotExist, false},
		{"garbage root", write(CACertFile, "not pem"), ErrBadPEM, false},
		{"garbage key", write(CAKeyFile, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n"), ErrBadPEM, false},
		{"leaf as root", func(t *testing.T, dir string) {
			data, _ := os.ReadFile(filepath.Join(dir, LeafCertFile))
			os.WriteFile(filepath.Join(dir, CACertFile), data, 0o644)
		}, ErrNotLocalCA, false},
		{"other install's key", copyFrom(CAKeyFile), ErrKeyMismatch, false},
		{"other install's leaf key", copyFrom(LeafKeyFile), ErrKeyMismatch, false},
		{"other install's leaf", copyFrom(LeafCertFile), ErrLeafNotTrusted, false},
		{"readable ca.key", func(t *testing.T, dir string) { os.Chmod(filepath.Join(dir, CAKeyFile), 0o644) }, ErrInsecurePermissions, true},
		{"readable leaf.key", func(t *testing.T, dir string) { os.Chmod(filepath.Join(dir, LeafKeyFile), 0o640) }, ErrInsecurePermissions, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.posix && runtime.GOOS == "windows" {
				t.Skip("POSIX modes")
			}
			_, _, dir := saved(t)
			tt.mutate(t, dir)
			_, _, err := Load(dir)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Load = %v, want %v", err, tt.want)
			}
			if msg := err.Error(); strings.Contains(msg, "BEGIN") || strings.Contains(msg, "c2VjcmV0") {
				t.Fatalf("error message leaks file content: %q", msg)
			}
		})
	}
}

package trust

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/localca"
)

func TestLoadServerCertificate(t *testing.T) {
	dataDir := t.TempDir()
	m := &Manager{Dir: TLSDir(dataDir), Stores: []Store{newMemStore("mem")}, Now: func() time.Time { return testNow }}
	if _, _, err := loadServerCertificate(dataDir, testNow); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("before install: %v, want ErrNotInstalled", err)
	}
	rep, err := m.Install()
	if err != nil {
		t.Fatal(err)
	}

	cert, root, err := loadServerCertificate(dataDir, testNow)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !root.Equal(rep.Root) || !cert.Leaf.Equal(rep.Leaf) {
		t.Fatal("loaded another root or leaf than Install saved")
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	for _, name := range []string{"127.0.0.1", "localhost"} {
		if err := tlsHandshake(t, cert, pool, name); err != nil {
			t.Fatalf("handshake for %s: %v", name, err)
		}
	}

	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{"valid near the end", rep.Leaf.NotAfter.Add(-time.Minute), nil},
		{"expired", rep.Leaf.NotAfter.Add(time.Minute), ErrLeafExpired},
		{"before validity", rep.Leaf.NotBefore.Add(-time.Minute), ErrLeafExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := loadServerCertificate(dataDir, tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("load = %v, want %v", err, tt.want)
			}
		})
	}

	if err := os.Chmod(filepath.Join(m.Dir, localca.LeafKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadServerCertificate(dataDir); !errors.Is(err, localca.ErrInsecurePermissions) {
		t.Fatalf("world-readable key: %v, want ErrInsecurePermissions", err)
	}
}

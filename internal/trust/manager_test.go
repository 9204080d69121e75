package trust

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/localca"
)

// memStore is an in-memory Store: nickname to PEM. fail makes every
// operation return that error.
type memStore struct {
	name  string
	roots map[string][]byte
	fail  error
}

func newMemStore(name string) *memStore { return &memStore{name: name, roots: map[string][]byte{}} }

func (s *memStore) Name() string { return s.name }

func (s *memStore) Install(pem []byte, nick string) error {
	if s.fail != nil {
		return s.fail
	}
	s.roots[nick] = slices.Clone(pem)
	return nil
}

func (s *memStore) Uninstall(nick string) error {
	if s.fail != nil {
		return s.fail
	}
	delete(s.roots, nick)
	return nil
}

func (s *memStore) Contains(nick string) (bool, error) {
	if s.fail != nil {
		return false, s.fail
	}
	_, ok := s.roots[nick]
	return ok, nil
}

func newManager(t *testing.T, stores ...Store) *Manager {
	t.Helper()
	return &Manager{Dir: TLSDir(t.TempDir()), Stores: stores, Now: func() time.Time { return testNow }}
}

func TestManagerInstallWritesFilesWithoutCAKey(t *testing.T) {
	store := newMemStore("mem")
	m := newManager(t, store)
	rep, err := m.Install()
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	if !rep.Trusted() || len(rep.Stores) != 1 || rep.Stores[0].State != Trusted {
		t.Fatalf("outcomes = %+v, want one trusted store", rep.Stores)
	}
	tests := []struct {
		file string
		mode os.FileMode
	}{
		{localca.CACertFile, 0o644},
		{localca.LeafCertFile, 0o644},
		{localca.LeafKeyFile, 0o600},
	}
	for _, tt := range tests {
		info, err := os.Stat(filepath.Join(m.Dir, tt.file))
		if err != nil || info.Mode().Perm() != tt.mode {
			t.Errorf("%s: %v, %v; want mode %v", tt.file, info, err, tt.mode)
		}
	}
	if _, err := os.Stat(filepath.Join(m.Dir, localca.CAKeyFile)); !os.IsNotExist(err) {
		t.Fatalf("CA key on disk after install: %v", err)
	}
	ca, leaf, err := localca.Load(m.Dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if ca.HasKey() {
		t.Fatal("loaded CA can still sign")
	}
	if ca.Fingerprint() != rep.Fingerprint || !leaf.Leaf.Equal(rep.Leaf) {
		t.Fatal("report does not describe the saved files")
	}
	block, _ := pem.Decode(store.roots[rep.Nickname])
	if block == nil || !slices.Equal(block.Bytes, ca.Certificate().Raw) {
		t.Fatal("store did not receive the saved root")
	}
}

func TestManagerReinstallReplacesRoot(t *testing.T) {
	a, b := newMemStore("a"), newMemStore("b")
	m := newManager(t, a, b)
	first, err := m.Install()
	if err != nil {
		t.Fatal(err)
	}
	second, err := m.Install()
	if err != nil {
		t.Fatal(err)
	}
	if second.Nickname == first.Nickname || second.Fingerprint == first.Fingerprint {
		t.Fatal("reinstall kept the old root")
	}
	if second.Replaced != first.Nickname || len(second.Stale) != 2 || second.Stale[0].State != NotTrusted {
		t.Fatalf("Replaced = %q, Stale = %+v", second.Replaced, second.Stale)
	}
	for _, s := range []*memStore{a, b} {
		if len(s.roots) != 1 || s.roots[second.Nickname] == nil {
			t.Fatalf("store %s holds %d roots, want only the new one", s.name, len(s.roots))
		}
	}
}

func TestManagerOutcomes(t *testing.T) {
	good := newMemStore("good")
	missing := newMemStore("missing")
	missing.fail = &FixError{Err: ErrToolMissing, Fix: "install it"}
	absent := newMemStore("absent")
	absent.fail = &FixError{Err: ErrUnavailable, Fix: "start the browser"}
	admin := newMemStore("admin")
	admin.fail = &FixError{Err: ErrNeedsAdmin, Fix: "run: sudo x"}
	broken := newMemStore("broken")
	broken.fail = errors.New("disk on fire")
	m := newManager(t, good, missing, absent, admin, broken)

	rep, err := m.Install()
	if err != nil {
		t.Fatal(err)
	}
	want := []State{Trusted, Unavailable, Unavailable, Failed, Failed}
	for i, o := range rep.Stores {
		if o.State != want[i] {
			t.Errorf("%s: %v, want %v", o.Store, o.State, want[i])
		}
	}
	if Fix(rep.Stores[3].Err) != "run: sudo x" {
		t.Errorf("fix lost: %v", rep.Stores[3].Err)
	}

	st, err := m.Status()
	if err != nil {
		t.Fatal(err)
	}
	want = []State{Trusted, Unavailable, Unavailable, Failed, Failed}
	for i, o := range st.Stores {
		if o.State != want[i] {
			t.Errorf("status %s: %v, want %v", o.Store, o.State, want[i])
		}
	}
	if st.Leaf == nil || !st.Trusted() {
		t.Fatalf("status = %+v", st)
	}

	// A failed store keeps the files so that the root can still be found.
	rm, err := m.Uninstall()
	if err != nil {
		t.Fatal(err)
	}
	if rm.Stores[0].State != NotTrusted || rm.Stores[4].State != Failed {
		t.Fatalf("uninstall outcomes = %+v", rm.Stores)
	}
	if _, err := os.Stat(filepath.Join(m.Dir, localca.CACertFile)); err != nil {
		t.Fatalf("tls dir removed although a store failed: %v", err)
	}
	admin.fail, broken.fail = nil, nil
	if _, err := m.Uninstall(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(m.Dir); !os.IsNotExist(err) {
		t.Fatalf("tls dir left after a clean uninstall: %v", err)
	}
	if len(good.roots) != 0 {
		t.Fatal("root left in a store")
	}
}

func TestManagerNotInstalled(t *testing.T) {
	m := newManager(t, newMemStore("mem"))
	if _, err := m.Status(); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("Status = %v, want ErrNotInstalled", err)
	}
	if _, err := m.Uninstall(); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("Uninstall = %v, want ErrNotInstalled", err)
	}
}

// TestManagerRefusesForeignRoot: a ca.crt replaced by some other CA is
// never handed to the stores' delete commands.
func TestManagerRefusesForeignRoot(t *testing.T) {
	store := newMemStore("mem")
	m := newManager(t, store)
	if _, err := m.Install(); err != nil {
		t.Fatal(err)
	}
	forged := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: selfSigned(t, "Some Public Root")})
	if err := os.WriteFile(filepath.Join(m.Dir, localca.CACertFile), forged, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Uninstall(); !errors.Is(err, ErrForeignRoot) {
		t.Fatalf("Uninstall = %v, want ErrForeignRoot", err)
	}
	if len(store.roots) != 1 {
		t.Fatal("store changed")
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Trusted: "trusted", NotTrusted: "not trusted", Unavailable: "not available", Failed: "failed", 0: "State(0)"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(s), s.String(), want)
		}
	}
}

// selfSigned returns the DER of a self-signed CA certificate named cn.
func selfSigned(t *testing.T, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             testNow.Add(-time.Hour),
		NotAfter:              testNow.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

package remote

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Names used by the tests. Nothing resolves or contacts them: the ACME
// directory is an unroutable loopback URL and the dialer refuses everything.
const (
	allowedHost  = "phone.example.com"
	unseededHost = "spare.example.com" // allowed, but no cached certificate
	otherHost    = "other.example.com"
	deadACME     = "http://127.0.0.1:1/directory"
)

// errDialRefused is what the recording dialer answers every dial with.
var errDialRefused = errors.New("test dialer: outbound connections are not allowed")

// dialLog is an ACME dialer that records every address it is asked for and
// connects to none of them.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) dial(_ context.Context, _, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addrs = append(d.addrs, addr)
	return nil, errDialRefused
}

func (d *dialLog) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// requireLoopbackOnly fails the test if any recorded dial left loopback.
func (d *dialLog) requireLoopbackOnly(t *testing.T) {
	t.Helper()
	for _, a := range d.dialed() {
		ap, err := netip.ParseAddrPort(a)
		if err != nil || !ap.Addr().IsLoopback() {
			t.Errorf("ACME client dialed %q, which is not a loopback address", a)
		}
	}
}

// testConfig is a valid configuration listening on a free loopback port.
func testConfig(t *testing.T) Config {
	t.Helper()
	return Config{
		Listen:       "127.0.0.1:0",
		Hosts:        []string{"Phone.Example.com", unseededHost},
		CacheDir:     filepath.Join(t.TempDir(), "acme"),
		Email:        "ops@example.com",
		DirectoryURL: deadACME,
	}
}

// newTestRemote builds a Remote whose ACME client can only reach dl.
func newTestRemote(t *testing.T, cfg Config, dl *dialLog) *Remote {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := newRemote(cfg, log, dl.dial)
	if err != nil {
		t.Fatalf("newRemote: %v", err)
	}
	return r
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// seedCache writes a self-signed ECDSA certificate for host into dir in
// autocert's cache format: the file is named after the cache key (the bare
// domain for ECDSA; RSA would be "<domain>+rsa") and holds the private key
// PEM followed by the certificate chain PEM. It returns the certificate.
func seedCache(t *testing.T, dir, host string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now() // autocert checks validity against the wall clock
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(7),
		Subject:               pkix.Name{CommonName: host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(90 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{host},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_ = pem.Encode(&buf, &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, host), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert
}

package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

const remoteHost = "phone.example.com"

// TestRemoteModeNeedsATokenForEveryClient runs the engine in remote mode on a
// loopback address, with a certificate for its public name already in the ACME cache
// (so no ACME server is contacted; the directory URL points at a closed loopback
// port). A page must pair even when provisioned; a program needs the token.
func TestRemoteModeNeedsATokenForEveryClient(t *testing.T) {
	port := testpeer.FreePort(t)
	var pool *x509.CertPool
	e := startEngine(t, engineOptions{
		control: map[string]any{"allowedOrigins": []string{crm}},
		remote: map[string]any{
			"enabled": true, "listen": fmt.Sprintf("127.0.0.1:%d", port), "hosts": []string{remoteHost},
			"directoryURL": "http://127.0.0.1:1/directory",
		},
		prepare: func(dataDir string) { pool = seedACMECache(t, filepath.Join(dataDir, "acme"), remoteHost) },
	})
	// /health answers once the control API listens; the remote listener binds after it,
	// before the engine says it is ready
	if !e.waitLog(10*time.Second, "wpservice ready") {
		t.Fatalf("engine not ready:\n%s", e.logText())
	}
	d := websocket.Dialer{
		HandshakeTimeout: 5 * time.Second,
		TLSClientConfig:  &tls.Config{RootCAs: pool, ServerName: remoteHost, MinVersion: tls.VersionTLS12},
		NetDialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
		},
	}
	url := fmt.Sprintf("wss://%s:%d/ws", remoteHost, port)

	conn, _, err := d.Dial(url, http.Header{"Origin": {crm}})
	if err != nil {
		t.Fatalf("remote wss: %v\n%s", err, e.logText())
	}
	defer conn.Close()
	p := &page{t: t, conn: conn}
	if m := p.auth(""); m.OK || m.Error.Code != api.CodePairingRequired {
		t.Fatalf("provisioned origin without a token, remotely: %+v", m)
	}
	if _, resp, err := d.Dial(url, nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no origin, no token, remotely: %v, want 401", err)
	}
	prog, _, err := d.Dial(url, http.Header{"Authorization": {"Bearer " + e.token(t)}})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	pg := &page{t: t, conn: prog}
	if m := pg.read(); m.Event != api.EvHello {
		t.Fatalf("token client got %+v, want hello", m)
	}
	other := d
	other.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: "other.example.com", MinVersion: tls.VersionTLS12}
	if _, _, err := other.Dial(fmt.Sprintf("wss://other.example.com:%d/ws", port), nil); err == nil {
		t.Fatal("a TLS handshake for a name outside remote.hosts succeeded")
	}
}

// seedACMECache writes a self-signed certificate for host in autocert's cache
// format (EC key PEM, then the certificate chain) and returns a pool trusting it.
func seedACMECache(t *testing.T, dir, host string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true,
		DNSNames: []string{host},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, host), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// testNow is the fixed clock every test uses.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newCA(t *testing.T) (*CA, tls.Certificate) {
	t.Helper()
	ca, err := Generate(testNow)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	leaf, err := ca.IssueLeaf(testNow)
	if err != nil {
		t.Fatalf("IssueLeaf: %v", err)
	}
	return ca, leaf
}

// handTemplate is a server certificate template built outside IssueLeaf.
func handTemplate(dns []string, ips []net.IP) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(42),
		Subject:               pkix.Name{CommonName: "hand made"},
		NotBefore:             testNow.Add(-time.Hour),
		NotAfter:              testNow.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              dns,
		IPAddresses:           ips,
	}
}

// signByHand signs tmpl with parent's key (the CA key by default), as an
// attacker holding a leaked root key would.
func signByHand(t *testing.T, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func caKey(t *testing.T, ca *CA) *ecdsa.PrivateKey {
	t.Helper()
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if ca.key == nil {
		t.Fatal("CA has no key")
	}
	return ca.key
}

func verifyOpts(ca *CA, name string) x509.VerifyOptions {
	return x509.VerifyOptions{
		Roots:       ca.CertPool(),
		DNSName:     name,
		CurrentTime: testNow,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
}

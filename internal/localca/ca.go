package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"
)

const (
	// CAValidity is the lifetime of a generated root.
	CAValidity = 10 * 365 * 24 * time.Hour
	// LeafValidity is the lifetime of an issued leaf, below the 825-day
	// ceiling that Apple platforms enforce for TLS server certificates.
	LeafValidity = 800 * 24 * time.Hour
	// RenewBefore is how long before expiry NeedsRenewal reports true.
	RenewBefore = 30 * 24 * time.Hour
	// clockSkew backdates NotBefore so that a slightly slow clock still
	// accepts a fresh certificate.
	clockSkew = time.Hour
)

// LeafDNSNames and LeafIPs are the loopback names a leaf certifies. The
// root's name constraints permit exactly these.
var (
	LeafDNSNames = []string{"localhost"}
	LeafIPs      = []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}
)

// permittedIPRanges returns the root's IP name constraints: 127.0.0.1/32 and
// ::1/128.
func permittedIPRanges() []*net.IPNet {
	return []*net.IPNet{
		{IP: net.IPv4(127, 0, 0, 1).To4(), Mask: net.CIDRMask(32, 32)},
		{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
	}
}

// CA is a per-install loopback root. Its methods are safe for concurrent use.
type CA struct {
	cert *x509.Certificate

	mu  sync.Mutex
	key *ecdsa.PrivateKey // nil once destroyed or when loaded without it
}

// Generate creates a new root CA valid from now for CAValidity, with a fresh
// ECDSA P-256 key, a random 128-bit serial and critical name constraints
// limited to localhost, 127.0.0.1 and ::1. It may only sign end-entity
// certificates (MaxPathLen 0).
func Generate(now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("localca: generate CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 6)
	if _, err := rand.Read(suffix); err != nil {
		return nil, fmt.Errorf("localca: random name: %w", err)
	}
	name := pkix.Name{
		Organization: []string{"wpservice local CA"},
		CommonName:   "wpservice local CA " + hex.EncodeToString(suffix),
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,

		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         append([]string(nil), LeafDNSNames...),
		PermittedIPRanges:           permittedIPRanges(),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("localca: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("localca: parse CA certificate: %w", err)
	}
	return &CA{cert: cert, key: key}, nil
}

// IssueLeaf signs a new TLS server certificate for localhost, 127.0.0.1 and
// ::1 with its own fresh key, valid from now for LeafValidity (capped at the
// root's expiry), ExtKeyUsage ServerAuth only. It returns ErrNoCAKey when the
// CA key has been destroyed and ErrCAExpired when the root is not valid at
// now.
func (ca *CA) IssueLeaf(now time.Time) (tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if ca.key == nil {
		return tls.Certificate{}, ErrNoCAKey
	}
	if !now.Before(ca.cert.NotAfter) || now.Before(ca.cert.NotBefore) {
		return tls.Certificate{}, ErrCAExpired
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("localca: generate leaf key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	notAfter := now.Add(LeafValidity)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost"},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              append([]string(nil), LeafDNSNames...),
		IPAddresses:           append([]net.IP(nil), LeafIPs...),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("localca: create leaf certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("localca: parse leaf certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Certificate returns the parsed root certificate. Callers must not modify it.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// HasKey reports whether the CA can still sign.
func (ca *CA) HasKey() bool {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.key != nil
}

// CertPool returns a new pool holding only this root, for clients and tests.
func (ca *CA) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return pool
}

// CertPEM returns the root certificate in PEM form, as installed into the OS
// trust store.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: pemCertificate, Bytes: ca.cert.Raw})
}

// Fingerprint returns the lowercase hex SHA-256 of the root certificate DER,
// the value the trust-status command shows and compares with the OS store.
func (ca *CA) Fingerprint() string {
	sum := sha256.Sum256(ca.cert.Raw)
	return hex.EncodeToString(sum[:])
}

// Verify checks that leaf chains to this root for a TLS server at now and
// fits the loopback name constraints. It wraps ErrLeafNotTrusted.
func (ca *CA) Verify(leaf *x509.Certificate, now time.Time) error {
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:       ca.CertPool(),
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLeafNotTrusted, err)
	}
	return nil
}

// NeedsRenewal reports whether leaf is missing or has less than RenewBefore
// left at now.
func NeedsRenewal(leaf *x509.Certificate, now time.Time) bool {
	if leaf == nil {
		return true
	}
	return leaf.NotAfter.Sub(now) < RenewBefore
}

// randomSerial returns a non-zero random 128-bit serial number.
func randomSerial() (*big.Int, error) {
	b := make([]byte, 16)
	for {
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("localca: random serial: %w", err)
		}
		if n := new(big.Int).SetBytes(b); n.Sign() > 0 {
			return n, nil
		}
	}
}

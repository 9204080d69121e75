package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLeafVerifiesForLoopbackNames(t *testing.T) {
	ca, leaf := newCA(t)
	tests := []struct{ name string }{
		{"localhost"},
		{"127.0.0.1"},
		{"::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := leaf.Leaf.Verify(verifyOpts(ca, tt.name)); err != nil {
				t.Fatalf("Verify(%q): %v", tt.name, err)
			}
		})
	}
	if err := ca.Verify(leaf.Leaf, testNow); err != nil {
		t.Fatalf("CA.Verify: %v", err)
	}
}

// TestNameConstraintsRejectOtherNames signs certificates by hand with the CA
// key, as an attacker with a leaked key would, and expects the name
// constraints to make verification fail.
func TestNameConstraintsRejectOtherNames(t *testing.T) {
	ca, _ := newCA(t)
	key := caKey(t, ca)
	tests := []struct {
		name    string
		dns     []string
		ips     []net.IP
		check   string // name passed to Verify
		wantErr bool
	}{
		{name: "control localhost", dns: []string{"localhost"}, check: "localhost"},
		{name: "control ipv6", ips: []net.IP{net.IPv6loopback}, check: "::1"},
		{name: "evil dns", dns: []string{"evil.example"}, check: "evil.example", wantErr: true},
		{name: "public dns", dns: []string{"bank.example.com"}, check: "bank.example.com", wantErr: true},
		{name: "evil ip", ips: []net.IP{net.ParseIP("10.0.0.1")}, check: "10.0.0.1", wantErr: true},
		{name: "other loopback ip", ips: []net.IP{net.ParseIP("127.0.0.2")}, check: "127.0.0.2", wantErr: true},
		{name: "other ipv6", ips: []net.IP{net.ParseIP("2001:db8::1")}, check: "2001:db8::1", wantErr: true},
		{name: "localhost plus evil", dns: []string{"localhost", "evil.example"}, check: "localhost", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, _ := signByHand(t, handTemplate(tt.dns, tt.ips), ca.Certificate(), key)
			_, err := cert.Verify(verifyOpts(ca, tt.check))
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("control certificate rejected: %v", err)
				}
				return
			}
			var invalid x509.CertificateInvalidError
			if !errors.As(err, &invalid) || invalid.Reason != x509.CANotAuthorizedForThisName {
				t.Fatalf("Verify = %v, want CANotAuthorizedForThisName", err)
			}
			if err := ca.Verify(cert, testNow); !errors.Is(err, ErrLeafNotTrusted) {
				t.Fatalf("CA.Verify = %v, want ErrLeafNotTrusted", err)
			}
		})
	}
}

// TestRootCannotSignIntermediate checks MaxPathLen 0: a sub-CA signed with
// the root key cannot issue a trusted leaf, even for localhost.
func TestRootCannotSignIntermediate(t *testing.T) {
	ca, _ := newCA(t)
	inter := handTemplate(nil, nil)
	inter.IsCA = true
	inter.KeyUsage = x509.KeyUsageCertSign
	inter.ExtKeyUsage = nil
	interCert, interKey := signByHand(t, inter, ca.Certificate(), caKey(t, ca))
	leaf, _ := signByHand(t, handTemplate([]string{"localhost"}, nil), interCert, interKey)

	opts := verifyOpts(ca, "localhost")
	opts.Intermediates = x509.NewCertPool()
	opts.Intermediates.AddCert(interCert)
	_, err := leaf.Verify(opts)
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.TooManyIntermediates {
		t.Fatalf("Verify = %v, want TooManyIntermediates", err)
	}
}

func TestRootProperties(t *testing.T) {
	ca, _ := newCA(t)
	c := ca.Certificate()
	oidNameConstraints := asn1.ObjectIdentifier{2, 5, 29, 30}
	critical := false
	for _, ext := range c.Extensions {
		if ext.Id.Equal(oidNameConstraints) {
			critical = ext.Critical
		}
	}
	pub, _ := c.PublicKey.(*ecdsa.PublicKey)
	tests := []struct {
		name string
		ok   bool
	}{
		{"is CA", c.BasicConstraintsValid && c.IsCA},
		{"max path len zero", c.MaxPathLen == 0 && c.MaxPathLenZero},
		{"key usage", c.KeyUsage == x509.KeyUsageCertSign|x509.KeyUsageCRLSign},
		{"validity 10 years", c.NotAfter.Equal(testNow.Add(CAValidity)) && !c.NotBefore.After(testNow)},
		{"serial 128-bit random", c.SerialNumber.Sign() > 0 && c.SerialNumber.BitLen() <= 128 && c.SerialNumber.BitLen() > 64},
		{"common name", strings.HasPrefix(c.Subject.CommonName, "wpservice local CA ") && len(c.Subject.CommonName) > len("wpservice local CA ")},
		{"self signed", c.CheckSignatureFrom(c) == nil},
		{"P-256", pub != nil && pub.Curve == elliptic.P256()},
		{"constraints critical", critical && c.PermittedDNSDomainsCritical},
		{"permitted DNS", slices.Equal(c.PermittedDNSDomains, []string{"localhost"})},
		{"permitted IPs", len(c.PermittedIPRanges) == 2 &&
			c.PermittedIPRanges[0].String() == "127.0.0.1/32" && c.PermittedIPRanges[1].String() == "::1/128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Fatalf("root property %q does not hold", tt.name)
			}
		})
	}
	if err := checkRoot(c); err != nil {
		t.Fatalf("checkRoot: %v", err)
	}
}

func TestLeafProperties(t *testing.T) {
	ca, leaf := newCA(t)
	c := leaf.Leaf
	leafKey, _ := leaf.PrivateKey.(*ecdsa.PrivateKey)
	tests := []struct {
		name string
		ok   bool
	}{
		{"validity at most 825 days", c.NotAfter.Sub(c.NotBefore) <= 825*24*time.Hour},
		{"validity 800 days from now", c.NotAfter.Equal(testNow.Add(800 * 24 * time.Hour))},
		{"server auth only", slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) && len(c.UnknownExtKeyUsage) == 0},
		{"not a CA", !c.IsCA},
		{"SAN DNS", slices.Equal(c.DNSNames, []string{"localhost"})},
		{"SAN IPs", len(c.IPAddresses) == 2 && c.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) && c.IPAddresses[1].Equal(net.IPv6loopback)},
		{"own key", leafKey != nil && !leafKey.PublicKey.Equal(&caKey(t, ca).PublicKey)},
		{"signed by root", c.CheckSignatureFrom(ca.Certificate()) == nil},
		{"chain has leaf only", len(leaf.Certificate) == 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Fatalf("leaf property %q does not hold", tt.name)
			}
		})
	}
	opts := verifyOpts(ca, "localhost")
	opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if _, err := c.Verify(opts); err == nil {
		t.Fatal("leaf verified for client auth")
	}
}

func TestIssueLeafTimeLimits(t *testing.T) {
	ca, _ := newCA(t)
	caEnd := ca.Certificate().NotAfter
	tests := []struct {
		name    string
		now     time.Time
		wantErr error
		wantEnd time.Time
	}{
		{name: "normal", now: testNow.Add(24 * time.Hour), wantEnd: testNow.Add(24*time.Hour + LeafValidity)},
		{name: "capped at root expiry", now: caEnd.Add(-10 * 24 * time.Hour), wantEnd: caEnd},
		{name: "root expired", now: caEnd, wantErr: ErrCAExpired},
		{name: "before root", now: testNow.Add(-2 * time.Hour), wantErr: ErrCAExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf, err := ca.IssueLeaf(tt.now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("IssueLeaf err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && !leaf.Leaf.NotAfter.Equal(tt.wantEnd) {
				t.Fatalf("NotAfter = %v, want %v", leaf.Leaf.NotAfter, tt.wantEnd)
			}
		})
	}
}

func TestGenerateIsUnique(t *testing.T) {
	a, la := newCA(t)
	b, lb := newCA(t)
	if a.Fingerprint() == b.Fingerprint() {
		t.Fatal("two roots share a fingerprint")
	}
	if caKey(t, a).Equal(caKey(t, b)) {
		t.Fatal("two roots share a private key")
	}
	if a.Certificate().Subject.CommonName == b.Certificate().Subject.CommonName {
		t.Fatal("two roots share a common name")
	}
	if a.Certificate().SerialNumber.Cmp(b.Certificate().SerialNumber) == 0 {
		t.Fatal("two roots share a serial")
	}
	if la.Leaf.PublicKey.(*ecdsa.PublicKey).Equal(lb.Leaf.PublicKey) {
		t.Fatal("two leaves share a key")
	}
	if _, err := la.Leaf.Verify(verifyOpts(b, "localhost")); err == nil {
		t.Fatal("leaf of one install verified against another install's root")
	}
}

func TestFingerprintAndPEM(t *testing.T) {
	ca, _ := newCA(t)
	block, rest := pem.Decode(ca.CertPEM())
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
		t.Fatalf("CertPEM is not one CERTIFICATE block")
	}
	if !slices.Equal(block.Bytes, ca.Certificate().Raw) {
		t.Fatal("CertPEM does not hold the root DER")
	}
	sum := sha256.Sum256(block.Bytes)
	if got, want := ca.Fingerprint(), hex.EncodeToString(sum[:]); got != want || len(got) != 64 {
		t.Fatalf("Fingerprint = %q, want %q", got, want)
	}
}

func TestNeedsRenewal(t *testing.T) {
	day := 24 * time.Hour
	leafEnding := func(left time.Duration) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: "x"}, SerialNumber: big.NewInt(1), NotAfter: testNow.Add(left)}
	}
	tests := []struct {
		name string
		leaf *x509.Certificate
		want bool
	}{
		{"missing", nil, true},
		{"fresh", leafEnding(800 * day), false},
		{"31 days left", leafEnding(31 * day), false},
		{"exactly 30 days left", leafEnding(30 * day), false},
		{"29 days left", leafEnding(29 * day), true},
		{"expired", leafEnding(-day), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsRenewal(tt.leaf, testNow); got != tt.want {
				t.Fatalf("NeedsRenewal = %v, want %v", got, tt.want)
			}
		})
	}
}

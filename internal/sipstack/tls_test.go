package sipstack

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// selfSigned returns a server certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// A REGISTER over TLS: the stack verifies the server certificate, answers the digest
// challenge on the same connection and reports registered; an untrusted certificate
// fails the registration with a transport error.
func TestRegisterOverTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	p := newPeer(t)
	p.set(func(p *peer) { p.password, p.challenge, p.grant = "secret", 401, 60 })
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	go p.srv.ServeTLS(ln)
	t.Cleanup(func() { ln.Close() })

	for _, tc := range []struct {
		name    string
		roots   *x509.CertPool
		success bool
	}{{"trusted", pool, true}, {"untrusted", x509.NewCertPool(), false}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t)
			st, err := New(Config{ListenIP: "127.0.0.1", UserAgent: "wpservice-test", OnEvent: rec.on,
				Clock: newFakeClock(), Logger: slog.New(slog.DiscardHandler), TLSConfig: &tls.Config{RootCAs: tc.roots}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			acc := Account{Server: ln.Addr().String(), Username: "alice", Password: "secret", Transport: "tls"}
			if err := st.SetAccount(acc); err != nil {
				t.Fatal(err)
			}
			if err := st.Register(); err != nil {
				t.Fatal(err)
			}
			if ev := rec.reg(); ev.State != RegRegistering {
				t.Fatalf("event %+v", ev)
			}
			ev := rec.reg()
			if !tc.success {
				if ev.State != RegFailed || ev.Code != 0 {
					t.Fatalf("untrusted certificate: %+v, want failed with a transport error", ev)
				}
				return
			}
			if ev.State != RegRegistered || ev.Code != 200 {
				t.Fatalf("event %+v, want registered", ev)
			}
			req := p.expect(sip.REGISTER)
			if via := req.Via(); via == nil || via.Transport != "TLS" {
				t.Errorf("Via %v, want TLS", req.Via())
			}
		})
	}
}

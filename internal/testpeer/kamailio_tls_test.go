package testpeer

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

// With a test CA, kamailio answers over TLS with a certificate that CA signed,
// and a client trusting only other roots refuses it.
func TestKamailioListensForTLS(t *testing.T) {
	t.Parallel()
	ca := NewTestCA(t)
	k := StartKamailio(t, KamailioOptions{TLS: ca})
	resp, err := sipOptionsWith("tls", k.TLSAddr, ca.pool(), time.Second)
	if err != nil || !strings.HasPrefix(resp, "SIP/2.0 200") {
		t.Fatalf("OPTIONS over TLS to %s: %q, %v", k.TLSAddr, resp, err)
	}
	if _, err := sipOptionsWith("tls", k.TLSAddr, x509.NewCertPool(), time.Second); err == nil {
		t.Fatal("a client that does not trust the test CA completed the handshake")
	}
}

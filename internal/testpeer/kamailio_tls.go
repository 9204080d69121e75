package testpeer

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// kamailioTLSConfig is the tls module's configuration: a server certificate,
// no client certificates asked for (a softphone has none).
const kamailioTLSConfig = `[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = %s
private_key = %s

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`

// writeTLSConfig issues kamailio's server certificate from ca and writes the
// tls module's configuration next to kamailio.cfg. Without the module (Debian's
// kamailio-tls-modules) the test is skipped, or fails on CI.
func (k *Kamailio) writeTLSConfig(t TB, ca *TestCA) error {
	t.Helper()
	modules, err := kamailioModulePath()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(modules, "tls.so")); errors.Is(err, os.ErrNotExist) {
		missing(t, "kamailio's tls module (kamailio-tls-modules)", err, onCI())
	}
	cert, key := ca.Issue(t, k.Domain)
	return os.WriteFile(filepath.Join(k.dir, "tls.cfg"), fmt.Appendf(nil, kamailioTLSConfig, cert, key), 0o644)
}

// pool is a certificate pool holding the CA, nil for a nil CA.
func (ca *TestCA) pool() *x509.CertPool {
	if ca == nil {
		return nil
	}
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

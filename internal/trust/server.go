package trust

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/wpservice/wpservice/internal/localca"
)

// LoadServerCertificate loads the leaf and root that Install saved under
// dataDir (in its tls subdirectory) for the engine's wss:// listener. It
// returns ErrNotInstalled when nothing was installed, ErrLeafExpired when
// the leaf is out of its validity period (run "wpservice trust install"
// again), and localca's errors for damaged files or a key readable by
// others.
func LoadServerCertificate(dataDir string) (tls.Certificate, *x509.Certificate, error) {
	return loadServerCertificate(dataDir, time.Now())
}

func loadServerCertificate(dataDir string, now time.Time) (tls.Certificate, *x509.Certificate, error) {
	ca, leaf, err := localca.Load(TLSDir(dataDir))
	if errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, nil, fmt.Errorf("%w: %w", ErrNotInstalled, err)
	}
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	if now.Before(leaf.Leaf.NotBefore) || now.After(leaf.Leaf.NotAfter) {
		return tls.Certificate{}, nil, fmt.Errorf("%w: valid %s to %s", ErrLeafExpired,
			leaf.Leaf.NotBefore.UTC().Format(time.DateOnly), leaf.Leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if err := ca.Verify(leaf.Leaf, now); err != nil {
		return tls.Certificate{}, nil, err
	}
	return leaf, ca.Certificate(), nil
}

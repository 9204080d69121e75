package trust

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpservice/wpservice/internal/localca"
)

// Store is one place that holds trusted roots. nick names our root in the
// store; it is always a Nickname, never chosen by a caller.
type Store interface {
	// Name describes the store for people, e.g. "NSS database ~/.pki/nssdb".
	Name() string
	// Install adds the PEM root as trusted for TLS servers under nick,
	// replacing a root with the same nick.
	Install(pem []byte, nick string) error
	// Uninstall removes every root named nick. Removing an absent root is
	// not an error.
	Uninstall(nick string) error
	// Contains reports whether a root named nick is trusted by the store.
	Contains(nick string) (bool, error)
}

// DirName is the subdirectory of the data directory that holds the CA
// certificate, the leaf and its key.
const DirName = "tls"

// TLSDir returns the tls directory inside the engine's data directory.
func TLSDir(dataDir string) string { return filepath.Join(dataDir, DirName) }

// isNickname reports whether cn is the subject common name localca.Generate gives
// a root: "wpservice local CA " and 12 lower-case hex digits. (Plain code, not a
// regexp: a package-level regexp is compiled at every start of the engine.)
func isNickname(cn string) bool {
	digits, ok := strings.CutPrefix(cn, "wpservice local CA ")
	return ok && len(digits) == 12 && strings.Trim(digits, "0123456789abcdef") == ""
}

// Nickname returns the name our root carries in every store: its subject
// common name, "wpservice local CA " and 12 random hex digits, unique per
// install. The common name (rather than a fingerprint) is what the macOS
// security tool and the Windows certutil can find and delete a certificate
// by, so one name works in every store. It returns ErrForeignRoot for a
// certificate that does not carry such a name.
func Nickname(root *x509.Certificate) (string, error) {
	cn := root.Subject.CommonName
	if !isNickname(cn) {
		return "", fmt.Errorf("%w: subject %q", ErrForeignRoot, cn)
	}
	return cn, nil
}

// readRoot parses the root certificate saved in dir. It needs only ca.crt,
// so a damaged leaf does not prevent removing the root from the stores.
func readRoot(dir string) (*x509.Certificate, error) {
	data, err := os.ReadFile(filepath.Join(dir, localca.CACertFile))
	if os.IsNotExist(err) {
		return nil, ErrNotInstalled
	}
	if err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: %s", localca.ErrBadPEM, localca.CACertFile)
	}
	root, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", localca.ErrBadPEM, localca.CACertFile, err)
	}
	return root, nil
}

// pemCerts returns the DER of every CERTIFICATE block in data.
func pemCerts(data []byte) [][]byte {
	var ders [][]byte
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return ders
		}
		if block.Type == "CERTIFICATE" {
			ders = append(ders, block.Bytes)
		}
	}
}

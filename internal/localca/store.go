package localca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/wpservice/wpservice/internal/store"
)

// File names inside the CA directory.
const (
	CACertFile   = "ca.crt"
	CAKeyFile    = "ca.key"
	LeafCertFile = "leaf.crt"
	LeafKeyFile  = "leaf.key"
)

// File modes: the directory and private keys are private to the user;
// certificates are public.
const (
	DirMode  fs.FileMode = 0o700
	CertMode fs.FileMode = 0o644
	KeyMode  fs.FileMode = 0o600
)

const (
	pemCertificate = "CERTIFICATE"
	pemPrivateKey  = "PRIVATE KEY"
)

// Save writes the root and leaf as PEM files into dir (created with DirMode):
// ca.crt and leaf.crt with CertMode, ca.key and leaf.key with KeyMode. Each
// file is replaced atomically and durably (store.WriteFileMode), after the
// temporary files an interrupted Save left are removed. When the CA key is no longer held, ca.key is
// not written and any stale copy is removed. leaf must have been issued by
// this CA.
func (ca *CA) Save(dir string, leaf tls.Certificate) error {
	if len(leaf.Certificate) == 0 || leaf.PrivateKey == nil {
		return fmt.Errorf("%w: empty leaf", ErrLeafNotTrusted)
	}
	leafCert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLeafNotTrusted, err)
	}
	if err := leafCert.CheckSignatureFrom(ca.cert); err != nil {
		return fmt.Errorf("%w: %w", ErrLeafNotTrusted, err)
	}
	if !publicKeyMatches(leaf.PrivateKey, leafCert) {
		return fmt.Errorf("%w: %s", ErrKeyMismatch, LeafKeyFile)
	}
	leafKeyPEM, err := keyPEM(leaf.PrivateKey)
	if err != nil {
		return err
	}

	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("localca: create directory: %w", err)
	}
	if err := os.Chmod(dir, DirMode); err != nil {
		return fmt.Errorf("localca: restrict directory: %w", err)
	}
	if err := removeLeftovers(dir); err != nil {
		return err
	}

	ca.mu.Lock()
	caKey := ca.key
	ca.mu.Unlock()
	if caKey != nil {
		caKeyPEM, err := keyPEM(caKey)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(dir, CAKeyFile, caKeyPEM, KeyMode); err != nil {
			return err
		}
	} else if err := removeIfExists(filepath.Join(dir, CAKeyFile)); err != nil {
		return err
	}
	if err := writeFileAtomic(dir, CACertFile, ca.CertPEM(), CertMode); err != nil {
		return err
	}
	leafPEM := pem.EncodeToMemory(&pem.Block{Type: pemCertificate, Bytes: leaf.Certificate[0]})
	if err := writeFileAtomic(dir, LeafKeyFile, leafKeyPEM, KeyMode); err != nil {
		return err
	}
	return writeFileAtomic(dir, LeafCertFile, leafPEM, CertMode)
}

// Load reads a CA directory written by Save. ca.key is optional: without it
// the CA verifies but IssueLeaf returns ErrNoCAKey. Load checks that the root
// is a name-constrained local CA, that each key matches its certificate,
// that the leaf was signed by the root, and (outside Windows) that key files
// are not readable by group or others.
func Load(dir string) (*CA, tls.Certificate, error) {
	rootDER, err := readPEM(filepath.Join(dir, CACertFile), pemCertificate)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("%w: %s: %w", ErrBadPEM, CACertFile, err)
	}
	if err := checkRoot(root); err != nil {
		return nil, tls.Certificate{}, err
	}
	ca := &CA{cert: root}

	caKey, err := readKey(filepath.Join(dir, CAKeyFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Verification-only CA: the key was destroyed after issuing.
	case err != nil:
		return nil, tls.Certificate{}, err
	case !publicKeyMatches(caKey, root):
		return nil, tls.Certificate{}, fmt.Errorf("%w: %s", ErrKeyMismatch, CAKeyFile)
	default:
		ca.key = caKey
	}

	leafDER, err := readPEM(filepath.Join(dir, LeafCertFile), pemCertificate)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("%w: %s: %w", ErrBadPEM, LeafCertFile, err)
	}
	if err := leaf.CheckSignatureFrom(root); err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("%w: %w", ErrLeafNotTrusted, err)
	}
	leafKey, err := readKey(filepath.Join(dir, LeafKeyFile))
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	if !publicKeyMatches(leafKey, leaf) {
		return nil, tls.Certificate{}, fmt.Errorf("%w: %s", ErrKeyMismatch, LeafKeyFile)
	}
	return ca, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey, Leaf: leaf}, nil
}

// DestroyKey forgets the CA private key and removes ca.key from dir, so the
// root can only be replaced by a new Generate, never used to sign again. It
// is idempotent. The in-memory key is dropped even when removal fails.
func (ca *CA) DestroyKey(dir string) error {
	ca.mu.Lock()
	ca.key = nil
	ca.mu.Unlock()
	return removeIfExists(filepath.Join(dir, CAKeyFile))
}

// checkRoot rejects a root that is not a self-signed CA carrying exactly the
// loopback name constraints that Generate sets.
func checkRoot(c *x509.Certificate) error {
	ok := c.BasicConstraintsValid && c.IsCA &&
		c.MaxPathLen == 0 && c.MaxPathLenZero &&
		c.PermittedDNSDomainsCritical &&
		slices.Equal(c.PermittedDNSDomains, LeafDNSNames) &&
		len(c.ExcludedDNSDomains) == 0 &&
		slices.EqualFunc(c.PermittedIPRanges, permittedIPRanges(), ipNetEqual) &&
		c.CheckSignatureFrom(c) == nil
	if !ok {
		return ErrNotLocalCA
	}
	return nil
}

func ipNetEqual(a, b *net.IPNet) bool {
	return a.IP.Equal(b.IP) && bytes.Equal(a.Mask, b.Mask)
}

// publicKeyMatches reports whether key is the private half of cert's key.
func publicKeyMatches(key crypto.PrivateKey, cert *x509.Certificate) bool {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return false
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

func keyPEM(key crypto.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("localca: encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

// readKey reads a PKCS#8 ECDSA key after checking its file permissions.
func readKey(path string) (*ecdsa.PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("localca: %s: %w", filepath.Base(path), err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s", ErrInsecurePermissions, filepath.Base(path))
	}
	der, err := readPEM(path, pemPrivateKey)
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		// The parser's message says nothing about the key material.
		return nil, fmt.Errorf("%w: %s: not a PKCS#8 key", ErrBadPEM, filepath.Base(path))
	}
	key, ok := parsed.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s: not an ECDSA key", ErrBadPEM, filepath.Base(path))
	}
	return key, nil
}

// readPEM returns the DER of the single PEM block of type typ in path.
func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("localca: %s: %w", filepath.Base(path), err)
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != typ || len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: %s", ErrBadPEM, filepath.Base(path))
	}
	return block.Bytes, nil
}

// writeFileAtomic writes data to dir/name with mode through store.WriteFileMode:
// a synced temporary file in dir renamed over the old one, and dir synced, so a
// crash leaves the old file or the new one, and the mode does not depend on the
// umask.
func writeFileAtomic(dir, name string, data []byte, mode fs.FileMode) error {
	if err := store.WriteFileMode(filepath.Join(dir, name), data, mode); err != nil {
		return fmt.Errorf("localca: write %s: %w", name, err)
	}
	return nil
}

// removeLeftovers removes the temporary files of writes a crash interrupted,
// private keys among them: store's, and those of the writes before it went
// through store ("." + a file name + ".tmp" + digits).
func removeLeftovers(dir string) error {
	if err := store.RemoveLeftovers(dir); err != nil {
		return fmt.Errorf("localca: remove leftovers: %w", err)
	}
	for _, name := range []string{CACertFile, CAKeyFile, LeafCertFile, LeafKeyFile} {
		old, _ := filepath.Glob(filepath.Join(dir, "."+name+".tmp*"))
		for _, path := range old {
			if err := removeIfExists(path); err != nil {
				return err
			}
		}
	}
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("localca: remove %s: %w", filepath.Base(path), err)
	}
	return nil
}

package localca

import "errors"

var (
	// ErrNoCAKey reports that the CA private key is not available (it was
	// destroyed or never saved), so the CA can verify but not sign.
	ErrNoCAKey = errors.New("localca: CA private key not available")

	// ErrCAExpired reports that the root is no longer valid at the given time.
	ErrCAExpired = errors.New("localca: CA certificate expired")

	// ErrBadPEM reports a file that is not the expected single PEM block.
	ErrBadPEM = errors.New("localca: malformed PEM file")

	// ErrNotLocalCA reports a root certificate that is not a CA with the
	// expected loopback name constraints.
	ErrNotLocalCA = errors.New("localca: certificate is not a name-constrained local CA")

	// ErrKeyMismatch reports a private key that does not belong to its
	// certificate.
	ErrKeyMismatch = errors.New("localca: private key does not match certificate")

	// ErrLeafNotTrusted reports a leaf that does not chain to the CA.
	ErrLeafNotTrusted = errors.New("localca: leaf certificate not issued by this CA")

	// ErrInsecurePermissions reports a private key file readable by others.
	ErrInsecurePermissions = errors.New("localca: private key file permissions too open")
)

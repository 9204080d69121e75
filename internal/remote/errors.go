package remote

import "errors"

// Configuration errors. Validate joins every problem it finds, so callers
// test for a cause with errors.Is.
var (
	// ErrNoHosts reports a configuration without any host name.
	ErrNoHosts = errors.New("remote: no host names configured")

	// ErrHostSyntax reports a host that is not a syntactically valid DNS
	// name: empty, a bad character, an empty or over-long label, a port, a
	// trailing dot or a non-ASCII name (give its xn-- form instead).
	ErrHostSyntax = errors.New("remote: host is not a valid DNS name")

	// ErrHostIP reports an IP literal, or a name a resolver could read as
	// one (a numeric last label such as "127.1" or "0x7f.1"). ACME CAs do
	// not issue for them through autocert.
	ErrHostIP = errors.New("remote: host is an IP address, not a DNS name")

	// ErrHostWildcard reports a "*" in a host. autocert cannot obtain
	// wildcard certificates (they need DNS-01).
	ErrHostWildcard = errors.New("remote: wildcard hosts are not supported")

	// ErrHostLoopback reports localhost or a name under .localhost. No
	// public CA can certify it, and the loopback listener has its own
	// local CA.
	ErrHostLoopback = errors.New("remote: loopback names cannot be certified")

	// ErrHostNotPublic reports a single-label name or one under a
	// special-use domain (.local, .internal, .test, .home.arpa, ...) that a
	// public CA can never reach.
	ErrHostNotPublic = errors.New("remote: host is not a public DNS name")

	// ErrListenAddr reports a Listen or HTTPChallenge value that is not
	// "IP:port" or ":port" with a numeric port.
	ErrListenAddr = errors.New("remote: invalid listen address")

	// ErrCacheDir reports a missing or relative certificate cache directory.
	ErrCacheDir = errors.New("remote: cache directory must be an absolute path")

	// ErrCacheDirMode reports an existing cache directory that other users
	// can read or enter. It holds the certificate and ACME account keys.
	ErrCacheDirMode = errors.New("remote: cache directory is accessible by other users")

	// ErrEmail reports a contact address that is not a bare e-mail address.
	ErrEmail = errors.New("remote: invalid contact e-mail address")

	// ErrDirectoryURL reports an ACME directory that is not an https URL
	// (plain http is accepted only for a loopback test CA).
	ErrDirectoryURL = errors.New("remote: invalid ACME directory URL")
)

// Reasons a DNS label is refused; they appear inside ErrHostSyntax messages.
var (
	errEmptyLabel = errors.New("empty label")
	errLongLabel  = errors.New("label longer than 63 bytes")
	errHyphen     = errors.New("label starts or ends with '-'")
	errLabelChar  = errors.New("only letters, digits and '-' are allowed in a label")
)

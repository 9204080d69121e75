package remote

import (
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// maxNameLen is the longest DNS name in text form (RFC 1035 §2.3.4).
const maxNameLen = 253

// maxLabelLen is the longest DNS label (RFC 1035 §2.3.4).
const maxLabelLen = 63

// specialUse lists the top-level names (RFC 6761, 6762, 7686, 8375, 9476
// and the ICANN-reserved .internal) that no public CA can validate. A host
// equal to one of them or below it is refused.
var specialUse = []string{
	"alt", "arpa", "example", "home.arpa", "internal", "invalid",
	"local", "localdomain", "onion", "test",
}

// canonicalHost returns the form of raw that the certificate is requested
// for: lower-case ASCII, no trailing dot. It refuses anything a public ACME
// CA could not certify or a resolver could mistake for an address, so that
// autocert's HostWhitelist matches exactly what the operator wrote.
func canonicalHost(raw string) (string, error) {
	if !isASCII(raw) {
		return "", fmt.Errorf("%w: %q is not ASCII (give its xn-- form)", ErrHostSyntax, raw)
	}
	h := strings.ToLower(raw)
	switch {
	case h == "":
		return "", fmt.Errorf("%w: empty", ErrHostSyntax)
	case strings.Contains(h, "*"):
		return "", fmt.Errorf("%w: %q", ErrHostWildcard, raw)
	case isIPLiteral(h):
		return "", fmt.Errorf("%w: %q", ErrHostIP, raw)
	case strings.HasSuffix(h, "."):
		return "", fmt.Errorf("%w: %q has a trailing dot", ErrHostSyntax, raw)
	case len(h) > maxNameLen:
		return "", fmt.Errorf("%w: %q is longer than %d bytes", ErrHostSyntax, raw, maxNameLen)
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return "", fmt.Errorf("%w: %q: %s", ErrHostSyntax, raw, err.Error())
		}
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return "", fmt.Errorf("%w: %q", ErrHostLoopback, raw)
	}
	if tld := labels[len(labels)-1]; tld[0] >= '0' && tld[0] <= '9' {
		return "", fmt.Errorf("%w: %q ends in a numeric label", ErrHostIP, raw)
	}
	if len(labels) < 2 {
		return "", fmt.Errorf("%w: %q is a single label", ErrHostNotPublic, raw)
	}
	for _, s := range specialUse {
		if h == s || strings.HasSuffix(h, "."+s) {
			return "", fmt.Errorf("%w: %q is under .%s", ErrHostNotPublic, raw, s)
		}
	}
	// autocert maps every SNI through IDNA lookup rules and HostWhitelist
	// silently drops names that fail them; refuse those names here instead
	// (bad punycode such as "xn--zz", or labels IDNA would rewrite).
	if a, err := idna.Lookup.ToASCII(h); err != nil || a != h {
		return "", fmt.Errorf("%w: %q is not a valid IDNA name", ErrHostSyntax, raw)
	}
	return h, nil
}

// isIPLiteral reports an IPv4 or IPv6 address, bracketed or not, with or
// without a zone.
func isIPLiteral(h string) bool {
	if _, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); err == nil {
		return true
	}
	return false
}

// isASCII reports whether s holds only 7-bit characters, so that lower-casing
// cannot fold a look-alike such as the Kelvin sign into an ASCII letter.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkLabel accepts a lower-case letter-digit-hyphen label (RFC 1123 §2.1)
// that neither starts nor ends with a hyphen.
func checkLabel(l string) error {
	switch {
	case l == "":
		return errEmptyLabel
	case len(l) > maxLabelLen:
		return errLongLabel
	case l[0] == '-' || l[len(l)-1] == '-':
		return errHyphen
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return fmt.Errorf("%w: %q", errLabelChar, c)
		}
	}
	return nil
}

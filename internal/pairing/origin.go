package pairing

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// maxOriginLen bounds the size of an origin accepted from untrusted input.
const maxOriginLen = 512

// NormalizeOrigin returns the canonical form of a web origin: "http" or "https", a lower-case
// host, and the port only when it is not the scheme's default. Anything else, including
// "null", file: origins, user info, paths (even "/"), queries, fragments, wildcards and
// non-ASCII hosts, is refused with ErrBadOrigin.
func NormalizeOrigin(origin string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: %s", ErrBadOrigin, why)
	}
	if origin == "" || len(origin) > maxOriginLen {
		return bad("empty or too long")
	}
	for i := 0; i < len(origin); i++ {
		if c := origin[i]; c <= ' ' || c >= 0x7f {
			return bad("control, space or non-ASCII character")
		}
	}
	u, err := url.Parse(origin)
	if err != nil {
		return bad("unparsable")
	}
	scheme := strings.ToLower(u.Scheme)
	var defPort string
	switch scheme {
	case "http":
		defPort = "80"
	case "https":
		defPort = "443"
	default:
		return bad("scheme must be http or https")
	}
	if u.Opaque != "" || u.User != nil || u.Path != "" || u.RawPath != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(origin, "#") {
		return bad("must be scheme://host[:port] only")
	}
	if u.Host == "" || strings.HasSuffix(u.Host, ":") {
		return bad("missing host or empty port")
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return bad("missing host")
	}
	if strings.Contains(u.Host, "[") {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return bad("invalid IPv6 literal")
		}
		host = "[" + addr.String() + "]"
	} else if !validHostname(host) {
		return bad("invalid host name")
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return bad("invalid port")
		}
		port = strconv.Itoa(n)
	}
	if port == "" || port == defPort {
		return scheme + "://" + host, nil
	}
	return scheme + "://" + host + ":" + port, nil
}

// validHostname accepts lower-case DNS names (including punycode) and IPv4 literals.
func validHostname(h string) bool {
	if len(h) > 253 || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	return true
}

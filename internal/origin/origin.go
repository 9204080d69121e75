// Package origin parses, normalises and compares web origins, the security identity
// of a browser page: its scheme, host and port (RFC 6454), as browsers send them in
// the Origin header and as administrators and users write them in the config and on
// the command line.
//
// Parse accepts exactly "scheme://host[:port]" and returns an Origin in canonical
// form, so that two spellings of one origin are equal with ==, and usable as one map
// key, wherever they came from:
//
//   - the scheme is http or https, in any case; it becomes lower case;
//   - a host name becomes lower case; an internationalised name must be written as
//     browsers send it, in punycode (xn--...), and each punycode label must be valid
//     IDNA; the Unicode form is refused, with the punycode form in the message;
//   - a trailing dot is kept: browsers treat crm.example.com. as an origin apart from
//     crm.example.com, and so does the engine (it is neither stripped nor refused);
//   - an IPv4 address must be four decimal parts (127.0.0.1, not 127.1 or 0x7f.1);
//   - an IPv6 address is in brackets and becomes its RFC 5952 text ([::1]); a zone
//     (fe80::1%25eth0) is refused, as it names an interface of one machine, not a site;
//   - the port is decimal, 1 to 65535, without leading zeros; the scheme's default
//     (80 for http, 443 for https) is dropped.
//
// Everything else is refused with ErrInvalid: "null" (sandboxed frames, data: and
// file: pages, which share it, so it can never be allowed), other schemes (file:,
// chrome-extension:, ws:), user info, a path (even "/"), a query, a fragment,
// percent-escapes, wildcards, spaces and control characters.
package origin

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// MaxLen bounds the length of an origin accepted from untrusted input.
const MaxLen = 512

// ErrInvalid is wrapped by every error of Parse: the text is not an origin the
// engine accepts.
var ErrInvalid = errors.New("not a web origin")

// Origin is a web origin in canonical form. The zero Origin is no origin at all (a
// client that sent none); Parse never returns it without an error.
type Origin struct {
	scheme string // "http" or "https"
	host   string // as serialised: a lower-case name, an IPv4 address or a bracketed IPv6 one
	port   uint16 // 0 for the scheme's default
}

// defaultPorts maps each accepted scheme to its default port.
var defaultPorts = map[string]uint16{"http": 80, "https": 443}

// Parse parses s as a web origin and returns its canonical form; see the package
// documentation for what is accepted.
func Parse(s string) (Origin, error) {
	if s == "" || len(s) > MaxLen {
		return Origin{}, invalid(s, "empty or longer than %d bytes", MaxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return Origin{}, invalid(s, "contains a space or control character")
		}
	}
	if s == "null" {
		return Origin{}, invalid(s, "the null origin is shared by every sandboxed or local page")
	}
	scheme, authority, ok := strings.Cut(s, "://")
	scheme = strings.ToLower(scheme)
	defPort, known := defaultPorts[scheme]
	if !ok || !known {
		return Origin{}, invalid(s, "want http:// or https:// followed by the host")
	}
	if i := strings.IndexAny(authority, "/?#@\\"); i >= 0 {
		return Origin{}, invalid(s, "%q not allowed: an origin is scheme://host[:port] only, "+
			"without user info, path, query or fragment", authority[i])
	}
	hostPart, portPart, err := splitHostPort(authority)
	if err != nil {
		return Origin{}, invalid(s, "%s", err)
	}
	host, err := canonicalHost(hostPart)
	if err != nil {
		return Origin{}, invalid(s, "%s", err)
	}
	port, err := parsePort(portPart)
	if err != nil {
		return Origin{}, invalid(s, "%s", err)
	}
	if port == defPort {
		port = 0
	}
	return Origin{scheme: scheme, host: host, port: port}, nil
}

// MustParse is Parse for origins known to be valid; it panics on an error.
func MustParse(s string) Origin {
	o, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return o
}

func invalid(s, format string, args ...any) error {
	if len(s) > MaxLen {
		s = s[:32] + "..."
	}
	return fmt.Errorf("%w: %q: %s", ErrInvalid, s, fmt.Sprintf(format, args...))
}

// splitHostPort splits an authority into its host (an IPv6 literal keeps its
// brackets) and its port, "" when there is none.
func splitHostPort(authority string) (host, port string, err error) {
	host, rest := authority, ""
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", "", errors.New("unclosed [ of an IPv6 address")
		}
		host, rest = authority[:end+1], authority[end+1:]
		if rest != "" && rest[0] != ':' {
			return "", "", errors.New("text after the IPv6 address")
		}
	} else if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		host, rest = authority[:i], authority[i:]
	}
	if rest == ":" {
		return "", "", errors.New("empty port after ':'")
	}
	return host, strings.TrimPrefix(rest, ":"), nil
}

// parsePort parses a decimal port without leading zeros; "" is no port.
func parsePort(s string) (uint16, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 || s[0] == '0' {
		return 0, fmt.Errorf("port %q: want 1 to 65535, without leading zeros", s)
	}
	return uint16(n), nil
}

// String returns the canonical serialisation, scheme://host[:port], which Parse
// returns unchanged; "" for the zero Origin.
func (o Origin) String() string {
	if o.IsZero() {
		return ""
	}
	if o.port == 0 {
		return o.scheme + "://" + o.host
	}
	return o.scheme + "://" + o.host + ":" + strconv.Itoa(int(o.port))
}

// IsZero reports whether o is the zero Origin.
func (o Origin) IsZero() bool { return o == Origin{} }

// Scheme returns "http" or "https".
func (o Origin) Scheme() string { return o.scheme }

// Host returns the host as serialised: a name, an IPv4 address, or an IPv6 address
// in brackets.
func (o Origin) Host() string { return o.host }

// Port returns the port, the scheme's default when the origin names none.
func (o Origin) Port() int {
	if o.port == 0 {
		return int(defaultPorts[o.scheme])
	}
	return int(o.port)
}

// IsLoopback reports whether the host is this machine's loopback: localhost, an
// address in 127.0.0.0/8, or [::1].
func (o Origin) IsLoopback() bool {
	if o.host == "localhost" {
		return true
	}
	addr, err := netip.ParseAddr(strings.Trim(o.host, "[]"))
	return err == nil && addr.IsLoopback()
}

package origin

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// maxNameLen is the longest host name, trailing dot excluded (RFC 1035 §2.3.4).
const maxNameLen = 253

// canonicalHost returns the canonical form of an origin's host: a bracketed IPv6
// literal in RFC 5952 text, a dotted-decimal IPv4 address, or a lower-case name.
func canonicalHost(h string) (string, error) {
	switch {
	case h == "":
		return "", errors.New("missing host")
	case strings.HasPrefix(h, "["):
		return canonicalIPv6(h)
	case endsInNumber(h):
		// Browsers read a host whose last label is a number as an IPv4 address
		// (127.1, 0x7f.0.0.1) and send it as four decimal parts.
		addr, err := netip.ParseAddr(h)
		if err != nil || !addr.Is4() {
			return "", fmt.Errorf("host %q: an IPv4 address is four decimal parts, like 127.0.0.1", h)
		}
		return addr.String(), nil
	}
	return canonicalName(h)
}

// canonicalIPv6 checks a bracketed IPv6 literal and returns it in RFC 5952 text.
func canonicalIPv6(h string) (string, error) {
	addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
	switch {
	case err != nil || !addr.Is6():
		return "", fmt.Errorf("host %s is not an IPv6 address", h)
	case addr.Zone() != "":
		return "", fmt.Errorf("host %s: an IPv6 zone names a local interface, not a site", h)
	}
	return "[" + addr.String() + "]", nil
}

// endsInNumber reports whether the last label of h (a trailing dot aside) is a
// number, decimal or 0x-hex, which makes a browser parse h as an IPv4 address
// (the WHATWG URL standard's "ends in a number").
func endsInNumber(h string) bool {
	h = strings.TrimSuffix(h, ".")
	last := h[strings.LastIndexByte(h, '.')+1:]
	if hex, ok := strings.CutPrefix(strings.ToLower(last), "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// canonicalName lower-cases a host name and checks it: ASCII letters, digits,
// hyphens and underscores in non-empty labels, and valid punycode in xn-- labels.
func canonicalName(h string) (string, error) {
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return "", unicodeHost(h)
		}
	}
	name := strings.ToLower(h)
	if len(strings.TrimSuffix(name, ".")) > maxNameLen {
		return "", fmt.Errorf("host name longer than %d bytes", maxNameLen)
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(name, "."), ".") {
		if label == "" {
			return "", fmt.Errorf("host %q has an empty label", h)
		}
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			default:
				return "", fmt.Errorf("host %q: %q is not allowed in a host name", h, c)
			}
		}
		if strings.HasPrefix(label, "xn--") {
			if a, err := idna.Lookup.ToASCII(label); err != nil || a != label {
				return "", fmt.Errorf("host %q: %q is not valid punycode", h, label)
			}
		}
	}
	return name, nil
}

// unicodeHost refuses a host name written in Unicode, saying how to write it.
func unicodeHost(h string) error {
	if a, err := idna.Lookup.ToASCII(h); err == nil {
		return fmt.Errorf("host %q: write an internationalised name in punycode, as browsers send it: %s", h, a)
	}
	return fmt.Errorf("host %q: not an ASCII host name", h)
}

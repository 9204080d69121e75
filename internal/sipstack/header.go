package sipstack

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on the extra headers a client may add to an INVITE.
const (
	MaxHeaders         = 16   // headers per INVITE
	MaxHeaderNameLen   = 64   // bytes of one name
	MaxHeaderValueSize = 1024 // bytes of one value
)

// Header is an extra header for an outgoing INVITE.
type Header struct {
	Name, Value string
}

// isReserved reports whether a header, by its lower-case name, is built by the stack
// (or changes how it routes, authenticates or negotiates) and cannot come from a
// client. Compact forms (RFC 3261 §7.3.3 and later RFCs) are listed next to their
// long names. (A switch, not a map: a map is built at every start of the engine.)
func isReserved(lower string) bool {
	switch lower {
	case "via", "v",
		"from", "f",
		"to", "t",
		"call-id", "i",
		"cseq",
		"contact", "m",
		"route", "record-route",
		"max-forwards",
		"content-length", "l",
		"content-type", "c",
		"content-encoding", "e",
		"authorization", "proxy-authorization",
		"www-authenticate", "proxy-authenticate",
		"expires", "allow", "user-agent",
		"supported", "k",
		"require", "proxy-require", "unsupported",
		"rseq", "rack":
		return true
	}
	return false
}

// ValidateHeader checks one extra header: the name is an RFC 3261 token of at most
// MaxHeaderNameLen bytes that the stack does not own (case-insensitive, compact forms
// included, and no Content-* header since the stack owns the body); the value is
// valid UTF-8 of at most MaxHeaderValueSize bytes with no control character other
// than horizontal tab. Errors wrap ErrBadHeader and name the header.
func ValidateHeader(h Header) error {
	name := h.Name
	switch {
	case name == "":
		return fmt.Errorf("%w: empty header name", ErrBadHeader)
	case len(name) > MaxHeaderNameLen:
		return fmt.Errorf("%w: header name %.16q... longer than %d bytes", ErrBadHeader, name, MaxHeaderNameLen)
	case !isToken(name):
		return fmt.Errorf("%w: header name %q is not a token", ErrBadHeader, name)
	}
	lower := strings.ToLower(name)
	if isReserved(lower) || strings.HasPrefix(lower, "content-") {
		return fmt.Errorf("%w: header %q is set by the SIP stack", ErrBadHeader, name)
	}
	switch {
	case len(h.Value) > MaxHeaderValueSize:
		return fmt.Errorf("%w: value of %q longer than %d bytes", ErrBadHeader, name, MaxHeaderValueSize)
	case !utf8.ValidString(h.Value):
		return fmt.Errorf("%w: value of %q is not valid UTF-8", ErrBadHeader, name)
	case strings.IndexFunc(h.Value, func(r rune) bool { return r != '\t' && isControl(r) }) >= 0:
		return fmt.Errorf("%w: value of %q contains a control character (CR, LF, NUL...)", ErrBadHeader, name)
	}
	return nil
}

// ParseHeaders validates a client's header map (name -> value) and returns the
// headers sorted by name, so the INVITE does not depend on map order. It refuses
// more than MaxHeaders headers and two names that differ only in case.
func ParseHeaders(m map[string]string) ([]Header, error) {
	if len(m) > MaxHeaders {
		return nil, fmt.Errorf("%w: %d headers, at most %d", ErrBadHeader, len(m), MaxHeaders)
	}
	hs := make([]Header, 0, len(m))
	for name, value := range m {
		hs = append(hs, Header{Name: name, Value: value})
	}
	slices.SortFunc(hs, func(a, b Header) int { return strings.Compare(a.Name, b.Name) })
	if err := validateHeaders(hs); err != nil {
		return nil, err
	}
	return hs, nil
}

// validateHeaders checks a header list as Dial receives it.
func validateHeaders(hs []Header) error {
	if len(hs) > MaxHeaders {
		return fmt.Errorf("%w: %d headers, at most %d", ErrBadHeader, len(hs), MaxHeaders)
	}
	seen := make(map[string]bool, len(hs))
	for _, h := range hs {
		if err := ValidateHeader(h); err != nil {
			return err
		}
		lower := strings.ToLower(h.Name)
		if seen[lower] {
			return fmt.Errorf("%w: header %q given twice", ErrBadHeader, h.Name)
		}
		seen[lower] = true
	}
	return nil
}

// isToken reports whether s is an RFC 3261 token: alphanumerics and -.!%*_+`'~.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		if !isAlnum(c) && !strings.ContainsRune("-.!%*_+`'~", c) {
			return false
		}
	}
	return s != ""
}

// isControl reports C0 controls (tab included), DEL and C1 controls.
func isControl(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f
}

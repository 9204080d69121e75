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

// reservedHeaders are built by the stack (or change how it routes, authenticates
// or negotiates) and cannot come from a client. Keys are lower case; compact forms
// (RFC 3261 §7.3.3 and later RFCs) are listed next to their long names.
var reservedHeaders = map[string]bool{
	"via": true, "v": true,
	"from": true, "f": true,
	"to": true, "t": true,
	"call-id": true, "i": true,
	"cseq":    true,
	"contact": true, "m": true,
	"route": true, "record-route": true,
	"max-forwards":   true,
	"content-length": true, "l": true,
	"content-type": true, "c": true,
	"content-encoding": true, "e": true,
	"authorization": true, "proxy-authorization": true,
	"www-authenticate": true, "proxy-authenticate": true,
	"expires": true, "allow": true, "user-agent": true,
	"supported": true, "k": true,
	"require": true, "proxy-require": true, "unsupported": true,
	"rseq": true, "rack": true,
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
	if reservedHeaders[lower] || strings.HasPrefix(lower, "content-") {
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

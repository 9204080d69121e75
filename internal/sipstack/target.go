package sipstack

import (
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// ParseTarget turns what a user typed into a SIP URI string to dial.
//
//   - A full "sip:" or "sips:" URI is kept as typed (after trimming).
//   - "user@host[:port]" becomes "sip:user@host[:port]".
//   - A bare user or number becomes "sip:user@<account server>"; without an
//     account (empty Server) it is ErrBadTarget.
//
// Anything that could break a header is ErrBadTarget: control characters
// (CR, LF, NUL, ...), spaces inside, <, >, ", backslash, non-ASCII, and URI
// headers ("?"). A bare user accepts RFC 3261 user characters except ";",
// "?" and ":" (a ";" would silently turn the rest into URI parameters that
// change routing; use a full sip: URI for parameters). "#" in a bare user is
// percent-encoded, so feature codes like "*72#" work.
func ParseTarget(target string, acc Account) (string, error) {
	t := strings.Trim(target, " \t")
	if t == "" {
		return "", fmt.Errorf("%w: empty", ErrBadTarget)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' {
			return "", fmt.Errorf("%w: forbidden character %q", ErrBadTarget, c)
		}
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "sip:") || strings.HasPrefix(lower, "sips:") {
		if _, err := parseURI(t); err != nil {
			return "", err
		}
		return t, nil
	}
	if strings.Contains(lower, ":") && !strings.Contains(t, "@") {
		// "tel:..." or any other scheme; a bare user never has a colon.
		return "", fmt.Errorf("%w: unsupported scheme", ErrBadTarget)
	}
	user, host, hasHost := strings.Cut(t, "@")
	if !validUserPart(user) {
		return "", fmt.Errorf("%w: bad user part", ErrBadTarget)
	}
	user = strings.ReplaceAll(user, "#", "%23")
	if hasHost {
		if !validHostPort(host) {
			return "", fmt.Errorf("%w: bad host", ErrBadTarget)
		}
		return "sip:" + user + "@" + host, nil
	}
	if acc.Server == "" || !validHostPort(acc.Server) {
		return "", fmt.Errorf("%w: a bare user needs an account", ErrBadTarget)
	}
	return "sip:" + user + "@" + acc.Server, nil
}

// parseURI parses a dial URI already screened for forbidden characters.
func parseURI(s string) (sip.Uri, error) {
	var u sip.Uri
	if err := sip.ParseUri(s, &u); err != nil {
		return u, fmt.Errorf("%w: %v", ErrBadTarget, err)
	}
	if u.Scheme != "sip" && u.Scheme != "sips" {
		return u, fmt.Errorf("%w: unsupported scheme", ErrBadTarget)
	}
	if !validHost(u.Host) || u.Headers.Length() > 0 || !validUserPart(u.User) && u.User != "" {
		return u, fmt.Errorf("%w: bad URI", ErrBadTarget)
	}
	return u, nil
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// validUserPart reports whether s is a non-empty RFC 3261 user part without
// ";", "?" and ":", allowing "#" (encoded by the caller) and %HH escapes.
func validUserPart(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		switch {
		case isAlnum(c), strings.ContainsRune("-_.!~*'()&=+$,/#", c):
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// escapeDisplayName returns name ready to sit between double quotes in a
// From header: control characters are dropped, backslash and quote escaped.
func escapeDisplayName(name string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(name) {
		switch {
		case r < 0x20 || r == 0x7f:
			continue
		case r == '"' || r == '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unescapeDisplayName undoes quoting of a received display name.
func unescapeDisplayName(name string) string {
	name = strings.TrimSpace(name)
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		name = name[1 : len(name)-1]
	}
	if !strings.Contains(name, `\`) {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '\\' && i+1 < len(name) {
			i++
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

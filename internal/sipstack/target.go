package sipstack

import (
	"fmt"
	"strings"
	"unicode/utf8"

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
// (CR, LF, NUL, ...) raw or percent-encoded ("%0d%0a"), spaces inside, <, >,
// ", backslash, non-ASCII, and URI headers ("?"). A bare user accepts RFC 3261 user characters except ";",
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
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == '?' {
			return "", fmt.Errorf("%w: forbidden character %q", ErrBadTarget, c)
		}
	}
	if hasEscapedControl(t) {
		return "", fmt.Errorf("%w: percent-encoded control character", ErrBadTarget)
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
// ";", "?" and ":", allowing "#" (encoded by the caller) and %HH escapes of
// anything but control characters.
func validUserPart(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		switch {
		case isAlnum(c), strings.ContainsRune("-_.!~*'()&=+$,/#", c):
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) || hasEscapedControl(s[i:i+3]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// hasEscapedControl reports whether s holds a %HH escape of a control
// character (%00-%1F, %7F): a peer that decodes it would get a raw CR, LF or NUL.
func hasEscapedControl(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0 && i+2 < len(s); i = strings.IndexByte(s, '%') {
		if isHex(s[i+1]) && isHex(s[i+2]) {
			if b := unhex(s[i+1])<<4 | unhex(s[i+2]); b < 0x20 || b == 0x7f {
				return true
			}
		}
		s = s[i+1:]
	}
	return false
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// maxDisplayName bounds Account.DisplayName in bytes.
const maxDisplayName = 128

// validDisplayName reports whether name can be a display name: valid UTF-8 of
// at most maxDisplayName bytes without control characters. Quotes, backslashes,
// <, >, ; and ? are fine: escapeDisplayName quotes them.
func validDisplayName(name string) bool {
	return len(name) <= maxDisplayName && utf8.ValidString(name) && strings.IndexFunc(name, isControl) < 0
}

// escapeDisplayName returns name ready to sit between double quotes in a
// From header (RFC 3261 quoted-string): control characters are dropped,
// backslash and quote become quoted-pairs.
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

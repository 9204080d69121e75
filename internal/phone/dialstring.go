package phone

import (
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// maxDialString bounds what a client may send as a dial string.
const maxDialString = 256

// splitDialString separates a Mizu-style ",DIGITS" suffix from the target: everything
// after the first comma must be DTMF digits (further commas are pauses and are dropped).
// "1234,5678#" dials 1234 and sends 5678# once the call is active.
func splitDialString(to string) (target, digits string, err error) {
	to = strings.TrimSpace(to)
	if to == "" {
		return "", "", api.BadArg("to", "empty dial string")
	}
	if len(to) > maxDialString {
		return "", "", api.BadArg("to", "dial string too long")
	}
	target, suffix, found := strings.Cut(to, ",")
	if !found {
		return target, "", nil
	}
	suffix = strings.ReplaceAll(suffix, ",", "")
	if err := validDigits(suffix); err != nil {
		return "", "", err
	}
	return target, suffix, nil
}

// validDigits accepts RFC 4733 DTMF events 0-9 * # A-D (a-d too).
func validDigits(d string) error {
	if d == "" {
		return api.BadArg("digits", "empty")
	}
	if len(d) > 64 {
		return api.BadArg("digits", "more than 64")
	}
	for _, r := range d {
		if !isDTMF(r) {
			return api.BadArg("digits", quoteRune(r)+" is not a DTMF digit (0-9 * # A-D)")
		}
	}
	return nil
}

func isDTMF(r rune) bool {
	return r >= '0' && r <= '9' || r == '*' || r == '#' || r >= 'A' && r <= 'D' || r >= 'a' && r <= 'd'
}

func quoteRune(r rune) string {
	if r < 0x20 || r == 0x7f {
		return "a control character"
	}
	return "'" + string(r) + "'"
}

package account

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/codec"
)

// Limits of an account's fields, in bytes and seconds.
const (
	maxAddress         = 255
	maxDisplayName     = 128
	maxVoicemailNumber = 64
	maxPassword        = 255
	minRegisterSeconds = 30
	maxRegisterSeconds = 86400
)

// Validate reports the first field of a that cannot be used, as an *api.ArgError
// named as the client names it. Empty fields are valid: they take their default
// (see Normalize).
func (a Account) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"server", a.Server}, {"username", a.Username}, {"authUsername", a.AuthUsername},
		{"outboundProxy", a.OutboundProxy}, {"transport", a.Transport},
	} {
		if strings.ContainsAny(f.value, " \t\r\n\x00<>\"'@;?,") {
			return api.BadArg(f.name, "contains a character that is not allowed here")
		}
		if len(f.value) > maxAddress {
			return api.BadArg(f.name, "longer than 255 bytes")
		}
	}
	if !validDisplayName(a.DisplayName) {
		return api.BadArg("displayName", "control characters (CR, LF, NUL...), invalid UTF-8 or longer than 128 bytes")
	}
	if strings.ContainsAny(a.Password, "\r\n\x00") || len(a.Password) > maxPassword {
		return api.BadArg("password", "control characters or longer than 255 bytes")
	}
	switch a.Transport {
	case "", api.TransportUDP, api.TransportTCP, api.TransportTLS:
	default:
		return api.BadArg("transport", "udp, tcp or tls")
	}
	switch a.MediaEncryption {
	case "", api.MediaEncryptionOff, api.MediaEncryptionOptional, api.MediaEncryptionMandatory:
	default:
		return api.BadArg("mediaEncryption", "off, optional or mandatory")
	}
	if len(a.VoicemailNumber) > maxVoicemailNumber || strings.ContainsFunc(a.VoicemailNumber, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) || !utf8.ValidString(a.VoicemailNumber) {
		return api.BadArg("voicemailNumber", "a number, a user or a SIP URI of at most 64 characters, without spaces; \"\" = none")
	}
	if a.RegisterInterval != 0 && (a.RegisterInterval < minRegisterSeconds || a.RegisterInterval > maxRegisterSeconds) {
		return api.BadArg("registerInterval", "30..86400 seconds")
	}
	return validateCodecs(a.Codecs)
}

// validateCodecs refuses unknown codecs and a codec listed twice, whatever the case.
func validateCodecs(names []string) error {
	seen := map[string]bool{}
	for _, name := range names {
		f, ok := codec.Lookup(name)
		if !ok {
			return api.BadArg("codecs", "unknown codec "+strings.ToValidUTF8(name, "?"))
		}
		if seen[f.Name] {
			return api.BadArg("codecs", f.Name+" listed twice")
		}
		seen[f.Name] = true
	}
	return nil
}

// validDisplayName reports whether name fits in a From header: UTF-8 of at most
// 128 bytes without control characters. Quotes and backslashes are fine: the SIP
// stack sends the name as a quoted-string with them escaped.
func validDisplayName(name string) bool {
	return len(name) <= maxDisplayName && utf8.ValidString(name) && !strings.ContainsFunc(name, unicode.IsControl)
}

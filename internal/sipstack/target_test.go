package sipstack

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	acc := Account{Server: "pbx.example.com:5060", Username: "alice"}
	tests := []struct {
		name, in string
		acc      Account
		want     string
		err      error
	}{
		{"bare user", "bob", acc, "sip:bob@pbx.example.com:5060", nil},
		{"number with plus", "+15551234", acc, "sip:+15551234@pbx.example.com:5060", nil},
		{"feature code hash encoded", "*72#", acc, "sip:*72%23@pbx.example.com:5060", nil},
		{"trimmed", "  bob\t", acc, "sip:bob@pbx.example.com:5060", nil},
		{"user at host", "bob@10.0.0.2:5070", acc, "sip:bob@10.0.0.2:5070", nil},
		{"user at host without account", "bob@example.org", Account{}, "sip:bob@example.org", nil},
		{"full sip uri kept", "sip:bob@example.org;transport=tcp", acc, "sip:bob@example.org;transport=tcp", nil},
		{"full sips uri kept", "sips:bob@example.org", Account{}, "sips:bob@example.org", nil},
		{"bare user without account", "bob", Account{}, "", ErrBadTarget},
		{"empty", "   ", acc, "", ErrBadTarget},
		{"CRLF injection", "bob\r\nX-Evil: 1", acc, "", ErrBadTarget},
		{"LF in uri", "sip:bob@example.org\nVia: x", acc, "", ErrBadTarget},
		{"NUL", "bob\x00", acc, "", ErrBadTarget},
		{"angle bracket", "bob>", acc, "", ErrBadTarget},
		{"angle in uri", "sip:bob@example.org>;x", acc, "", ErrBadTarget},
		{"quote", `bob"`, acc, "", ErrBadTarget},
		{"space inside", "555 1234", acc, "", ErrBadTarget},
		{"semicolon in bare user", "bob;transport=tcp", acc, "", ErrBadTarget},
		{"question mark in bare user", "bob?subject=x", acc, "", ErrBadTarget},
		{"uri headers", "sip:bob@example.org?Subject=x", acc, "", ErrBadTarget},
		{"empty uri headers", "sip:bob@example.org?", acc, "", ErrBadTarget},
		{"backslash", `bob\`, acc, "", ErrBadTarget},
		{"non-ascii", "bób", acc, "", ErrBadTarget},
		{"tel scheme", "tel:+1555", acc, "", ErrBadTarget},
		{"bad host", "bob@exa_mple", acc, "", ErrBadTarget},
		{"ipv6 host bracketed", "bob@[::1]:5060", acc, "sip:bob@[::1]:5060", nil},
		{"ipv6 host without brackets", "bob@0::", acc, "", ErrBadTarget},
		{"bad escape", "bob%zz", acc, "", ErrBadTarget},
		{"escaped letter kept", "bob%41", acc, "sip:bob%41@pbx.example.com:5060", nil},
		{"escaped CRLF in bare user", "bob%0d%0aVia:x", acc, "", ErrBadTarget},
		{"escaped CRLF upper case", "bob%0D%0A", acc, "", ErrBadTarget},
		{"escaped CRLF in uri user", "sip:bob%0d%0aX-Evil:1@example.org", acc, "", ErrBadTarget},
		{"escaped NUL in uri param", "sip:bob@example.org;x=%00", acc, "", ErrBadTarget},
		{"escaped DEL", "sip:bob%7f@example.org", acc, "", ErrBadTarget},
		{"lone percent at the end", "sip:bob@example.org;x=%", acc, "sip:bob@example.org;x=%", nil},
		{"angle bracket opening", "<sip:bob@example.org", acc, "", ErrBadTarget},
		{"semicolon after host", "bob@example.org;maddr=evil", acc, "", ErrBadTarget},
		{"question mark after host", "bob@example.org?Route=x", acc, "", ErrBadTarget},
		{"no host in uri", "sip:bob@", acc, "", ErrBadTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTarget(tt.in, tt.acc)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("ParseTarget(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestEscapeDisplayName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Alice", "Alice"},
		{`Al "the" Boss`, `Al \"the\" Boss`},
		{`back\slash`, `back\\slash`},
		{"evil\r\nVia: x", "evilVia: x"},
		{"  padded  ", "padded"},
	}
	for _, tt := range tests {
		got := escapeDisplayName(tt.in)
		if got != tt.want {
			t.Errorf("escapeDisplayName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := unescapeDisplayName(`"` + got + `"`); back != strings.TrimSpace(strings.NewReplacer("\r", "", "\n", "").Replace(tt.in)) {
			t.Errorf("unescape(escape(%q)) = %q", tt.in, back)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	f.Add("bob")
	f.Add("sip:bob@example.org;transport=tcp")
	f.Add("bob@10.0.0.1:5060")
	f.Add("bob\r\nVia: x")
	f.Add("*72#")
	f.Add("bob%0d%0aVia: x")
	f.Add("sip:bob@example.org;x=%0")
	acc := Account{Server: "127.0.0.1:5060", Username: "alice"}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseTarget(in, acc)
		if err != nil {
			if !errors.Is(err, ErrBadTarget) {
				t.Fatalf("error %v is not ErrBadTarget", err)
			}
			return
		}
		if strings.ContainsAny(got, "\r\n\x00<>\" \t\\?") || hasEscapedControl(got) {
			t.Fatalf("ParseTarget(%q) = %q carries a header-breaking character", in, got)
		}
		if _, err := parseURI(got); err != nil {
			t.Fatalf("ParseTarget(%q) = %q does not parse back: %v", in, got, err)
		}
	})
}

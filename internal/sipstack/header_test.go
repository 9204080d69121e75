package sipstack

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateHeader(t *testing.T) {
	tests := []struct {
		name  string
		h     Header
		ok    bool
		names string // the error message must quote this
	}{
		{"x header", Header{"X-CRM-Id", "42"}, true, ""},
		{"token punctuation", Header{"X.a!b%c*d_e+f`g'h~i", "v"}, true, ""},
		{"subject", Header{"Subject", "Call about order #12"}, true, ""},
		{"empty value", Header{"X-Empty", ""}, true, ""},
		{"tab in value", Header{"X-Tab", "a\tb"}, true, ""},
		{"utf-8 value", Header{"X-Name", "Zoë 東京"}, true, ""},
		{"value at limit", Header{"X-Big", strings.Repeat("v", MaxHeaderValueSize)}, true, ""},
		{"name at limit", Header{strings.Repeat("n", MaxHeaderNameLen), "v"}, true, ""},

		{"empty name", Header{"", "v"}, false, ""},
		{"name too long", Header{strings.Repeat("n", MaxHeaderNameLen+1), "v"}, false, "nnnn"},
		{"colon in name", Header{"X-A:B", "v"}, false, `"X-A:B"`},
		{"space in name", Header{"X A", "v"}, false, `"X A"`},
		{"CRLF in name", Header{"X-A\r\nVia", "v"}, false, `"X-A\r\nVia"`},
		{"NUL in name", Header{"X\x00", "v"}, false, `"X\x00"`},
		{"non-ascii name", Header{"X-Zoë", "v"}, false, `"X-Zoë"`},
		{"Via", Header{"Via", "SIP/2.0/UDP evil"}, false, `"Via"`},
		{"via lower case", Header{"via", "x"}, false, `"via"`},
		{"From mixed case", Header{"fROM", "x"}, false, `"fROM"`},
		{"Call-ID", Header{"Call-ID", "x"}, false, `"Call-ID"`},
		{"CSeq", Header{"CSeq", "1 BYE"}, false, `"CSeq"`},
		{"Contact", Header{"Contact", "<sip:x@y>"}, false, `"Contact"`},
		{"Route", Header{"Route", "<sip:evil>"}, false, `"Route"`},
		{"Record-Route", Header{"Record-Route", "<sip:evil>"}, false, `"Record-Route"`},
		{"Max-Forwards", Header{"Max-Forwards", "0"}, false, `"Max-Forwards"`},
		{"Content-Length", Header{"Content-Length", "0"}, false, `"Content-Length"`},
		{"Content-Type", Header{"Content-Type", "text/plain"}, false, `"Content-Type"`},
		{"any Content-*", Header{"Content-Disposition", "session"}, false, `"Content-Disposition"`},
		{"Authorization", Header{"Authorization", "Digest x"}, false, `"Authorization"`},
		{"Proxy-Authorization", Header{"Proxy-Authorization", "Digest x"}, false, `"Proxy-Authorization"`},
		{"Expires", Header{"Expires", "0"}, false, `"Expires"`},
		{"Allow", Header{"Allow", "INVITE"}, false, `"Allow"`},
		{"Supported", Header{"Supported", "100rel"}, false, `"Supported"`},
		{"Require", Header{"Require", "100rel"}, false, `"Require"`},
		{"Proxy-Require", Header{"Proxy-Require", "x"}, false, `"Proxy-Require"`},
		{"User-Agent", Header{"User-Agent", "x"}, false, `"User-Agent"`},
		{"compact v", Header{"v", "x"}, false, `"v"`},
		{"compact F", Header{"F", "x"}, false, `"F"`},
		{"compact t", Header{"t", "x"}, false, `"t"`},
		{"compact i", Header{"i", "x"}, false, `"i"`},
		{"compact m", Header{"m", "x"}, false, `"m"`},
		{"compact l", Header{"l", "x"}, false, `"l"`},
		{"compact c", Header{"c", "x"}, false, `"c"`},
		{"compact k", Header{"k", "x"}, false, `"k"`},
		{"CRLF in value", Header{"X-A", "1\r\nVia: evil"}, false, `"X-A"`},
		{"LF in value", Header{"X-A", "1\nVia: evil"}, false, `"X-A"`},
		{"CR in value", Header{"X-A", "1\r"}, false, `"X-A"`},
		{"NUL in value", Header{"X-A", "1\x00"}, false, `"X-A"`},
		{"DEL in value", Header{"X-A", "1\x7f"}, false, `"X-A"`},
		{"C1 NEL in value", Header{"X-A", "1\u0085"}, false, `"X-A"`},
		{"bad utf-8 value", Header{"X-A", "\xff\xfe"}, false, `"X-A"`},
		{"value too long", Header{"X-A", strings.Repeat("v", MaxHeaderValueSize+1)}, false, `"X-A"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateHeader(tt.h)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidateHeader(%q) = %v", tt.h, err)
				}
				return
			}
			if !errors.Is(err, ErrBadHeader) {
				t.Fatalf("ValidateHeader(%q) = %v, want ErrBadHeader", tt.h, err)
			}
			if !strings.Contains(err.Error(), tt.names) {
				t.Fatalf("error %q does not name %s", err, tt.names)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	many := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("X-H%02d", i)] = "v"
		}
		return m
	}
	tests := []struct {
		name string
		in   map[string]string
		want []Header // nil with ok=false: an error
		ok   bool
	}{
		{"nil", nil, []Header{}, true},
		{"sorted by name", map[string]string{"X-b": "2", "X-A": "1", "Subject": "s"},
			[]Header{{"Subject", "s"}, {"X-A", "1"}, {"X-b", "2"}}, true},
		{"at the limit", many(MaxHeaders), nil, true},
		{"one too many", many(MaxHeaders + 1), nil, false},
		{"same name twice in other case", map[string]string{"X-Id": "1", "x-id": "2"}, nil, false},
		{"one bad among good", map[string]string{"X-A": "1", "Via": "x"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeaders(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrBadHeader) || got != nil {
					t.Fatalf("ParseHeaders = %v, %v; want ErrBadHeader", got, err)
				}
				return
			}
			if err != nil || len(got) != len(tt.in) {
				t.Fatalf("ParseHeaders = %v, %v; want %d headers", got, err, len(tt.in))
			}
			if tt.want != nil && fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("ParseHeaders = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidDisplayName(t *testing.T) {
	for _, ok := range []string{"", "Alice", `Al "the" Boss`, `back\slash`, "<sip:x@y>;tag=1?a=b", "Zoë 東京", strings.Repeat("a", maxDisplayName)} {
		if !validDisplayName(ok) {
			t.Errorf("validDisplayName(%q) = false", ok)
		}
	}
	for _, bad := range []string{"evil\r\nVia: x", "a\nb", "a\x00", "a\tb", "a\x1b[31m", "a\x7f", "a\u0085", "\xff", strings.Repeat("a", maxDisplayName+1)} {
		if validDisplayName(bad) {
			t.Errorf("validDisplayName(%q) = true", bad)
		}
	}
}

// FuzzValidateHeader checks that whatever ValidateHeader accepts is a header line
// that cannot be split or mistaken for one the stack owns.
func FuzzValidateHeader(f *testing.F) {
	f.Add("X-CRM-Id", "42")
	f.Add("Via", "SIP/2.0/UDP x")
	f.Add("X-A", "1\r\nVia: evil")
	f.Add("X A", "v")
	f.Add("content-disposition", "session")
	f.Add("X-Name", "Zoë\u0085")
	f.Fuzz(func(t *testing.T, name, value string) {
		err := ValidateHeader(Header{name, value})
		if err != nil {
			if !errors.Is(err, ErrBadHeader) {
				t.Fatalf("error %v is not ErrBadHeader", err)
			}
			return
		}
		line := name + ": " + value
		if strings.ContainsAny(line, "\r\n\x00") || !utf8.ValidString(line) {
			t.Fatalf("accepted %q", line)
		}
		if !isToken(name) || len(name) > MaxHeaderNameLen || len(value) > MaxHeaderValueSize {
			t.Fatalf("accepted name %q value of %d bytes", name, len(value))
		}
		lower := strings.ToLower(name)
		if isReserved(lower) || strings.HasPrefix(lower, "content-") {
			t.Fatalf("accepted reserved %q", name)
		}
	})
}

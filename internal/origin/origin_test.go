package origin

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCanonicalForms(t *testing.T) {
	tests := []struct{ in, want string }{
		// scheme and host case
		{"https://crm.example.com", "https://crm.example.com"},
		{"HTTPS://CRM.Example.COM", "https://crm.example.com"},
		{"Http://LocalHost:3000", "http://localhost:3000"},
		// default ports are dropped, others kept
		{"https://crm.example.com:443", "https://crm.example.com"},
		{"http://crm.example.com:80", "http://crm.example.com"},
		{"http://crm.example.com:443", "http://crm.example.com:443"},
		{"https://crm.example.com:80", "https://crm.example.com:80"},
		{"https://crm.example.com:8443", "https://crm.example.com:8443"},
		{"http://localhost:65535", "http://localhost:65535"},
		// IPv4
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000"},
		{"http://127.0.0.1:80", "http://127.0.0.1"},
		// IPv6 literals become their RFC 5952 text
		{"http://[::1]:3000", "http://[::1]:3000"},
		{"http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080"},
		{"http://[0000:0000:0000:0000:0000:0000:0000:0001]", "http://[::1]"},
		{"https://[2001:DB8::1]:443", "https://[2001:db8::1]"},
		{"https://[2001:db8:0:0:1:0:0:1]", "https://[2001:db8::1:0:0:1]"},
		{"http://[::ffff:127.0.0.1]:3000", "http://[::ffff:127.0.0.1]:3000"},
		// a trailing dot is kept: a different origin for the browser
		{"https://crm.example.com.", "https://crm.example.com."},
		{"https://CRM.example.com.:443", "https://crm.example.com."},
		{"http://localhost.:3000", "http://localhost.:3000"},
		// IDN hosts: punycode is the canonical form
		{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example"},
		{"https://XN--BCHER-KVA.example", "https://xn--bcher-kva.example"},
		// names browsers accept
		{"http://localhost", "http://localhost"},
		{"http://crm:8080", "http://crm:8080"},
		{"https://my_host.example", "https://my_host.example"},
		{"https://1password.example", "https://1password.example"},
		{"https://a-.example", "https://a-.example"},
	}
	for _, tt := range tests {
		o, err := Parse(tt.in)
		if err != nil || o.String() != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, o, err, tt.want)
			continue
		}
		if again, err := Parse(o.String()); err != nil || again != o {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", o.String(), again, err, o)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct{ in, why string }{
		{"", "empty"},
		{"https://" + strings.Repeat("a", MaxLen), "too long"},
		{"https://" + string(make([]byte, 600)), "too long, NUL bytes"},
		{"null", "the null origin"},
		{"NULL", "other scheme"},
		{"file://", "file"},
		{"file:///etc/passwd", "file"},
		{"chrome-extension://abcdef", "extension"},
		{"ws://127.0.0.1:1", "websocket scheme"},
		{"wss://crm.example.com", "websocket scheme"},
		{"crm.example.com", "no scheme"},
		{"//crm.example.com", "no scheme"},
		{"https:crm.example.com", "no //"},
		{"https:/crm.example.com", "no //"},
		// paths, queries, fragments, user info, escapes
		{"https://crm.example.com/", "path"},
		{"https://crm.example.com/app", "path"},
		{"https://crm.example.com?x=1", "query"},
		{"https://crm.example.com?", "empty query"},
		{"https://crm.example.com#f", "fragment"},
		{"https://crm.example.com#", "empty fragment"},
		{"https://user@crm.example.com", "user info"},
		{"https://user:pw@crm.example.com", "user info"},
		{"https://crm.example.com\\evil.example", "backslash"},
		{"https://crm%2eexample.com", "escape"},
		// hosts
		{"https://", "no host"},
		{"https://:443", "no host"},
		{"https://*.example.com", "wildcard"},
		{"https://crm .example.com", "space"},
		{"https://crm.example.com\n", "newline"},
		{"https://crm.example.com\x00", "NUL"},
		{"https://.example.com", "empty label"},
		{"https://a..b", "empty label"},
		{"https://.", "empty label"},
		{"https://crm.example.com..", "two trailing dots"},
		{"https://" + strings.Repeat("a.", 127) + "ab", "name too long"},
		{"https://bücher.example", "Unicode host"},
		{"https://xn--zz.example", "bad punycode"},
		{"https://xn--.example", "bad punycode"},
		{"https://xn--abc-.example", "punycode of plain ASCII"},
		// IPv4 and IPv6
		{"http://127.1:3000", "short IPv4"},
		{"http://0x7f.0.0.1", "hex IPv4"},
		{"http://127.000.0.1", "IPv4 with leading zeros"},
		{"http://256.0.0.1", "IPv4 out of range"},
		{"http://123", "number host"},
		{"http://example.0x1f", "ends in a hex number"},
		{"http://::1:3000", "IPv6 without brackets"},
		{"http://[::1", "unclosed bracket"},
		{"http://[::1]x", "text after the bracket"},
		{"http://[::1]:", "empty port"},
		{"https://[1.2.3.4]", "IPv4 in brackets"},
		{"https://[fe80::1%25eth0]", "zone"},
		{"https://[fe80::1%eth0]:443", "zone"},
		{"http://[]", "empty brackets"},
		{"http://[::g]", "bad IPv6"},
		// ports
		{"https://crm.example.com:", "empty port"},
		{"https://crm.example.com:0", "port 0"},
		{"https://crm.example.com:65536", "port too big"},
		{"https://crm.example.com:x", "port not a number"},
		{"https://crm.example.com:+443", "port with a sign"},
		{"https://crm.example.com:0443", "leading zero"},
		{"https://crm.example.com:08443", "leading zero"},
		{"https://crm.example.com:443:443", "two ports"},
	}
	for _, tt := range tests {
		if o, err := Parse(tt.in); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) (%s) = %q, %v; want ErrInvalid", tt.in, tt.why, o, err)
		}
	}
}

// The gate files a waiting page under the origin its browser sent and finds it again
// under the origin the user typed; the pairing store keys tokens the same way. Every
// pair here must be one origin, and one map key.
func TestSpellingsOfOneOriginAreEqual(t *testing.T) {
	same := [][]string{
		{"http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]:8080", "HTTP://[::1]:8080", "http://[0::1]:8080"},
		{"https://crm.example.com", "HTTPS://CRM.EXAMPLE.COM", "https://crm.example.com:443", "https://Crm.Example.Com:443"},
		{"http://localhost", "http://LOCALHOST:80", "http://localhost:80"},
		{"https://xn--bcher-kva.example", "https://XN--Bcher-KVA.Example:443"},
		{"https://[2001:db8::1]", "https://[2001:0db8:0000:0000:0000:0000:0000:0001]:443"},
	}
	for _, spellings := range same {
		want := MustParse(spellings[0])
		keys := map[Origin]bool{want: true}
		for _, s := range spellings[1:] {
			o, err := Parse(s)
			if err != nil || o != want {
				t.Errorf("Parse(%q) = %q, %v; want %q", s, o, err, want)
			}
			keys[o] = true
		}
		if len(keys) != 1 {
			t.Errorf("%q: %d map keys, want 1", spellings, len(keys))
		}
	}
	different := [][2]string{
		{"http://crm.example.com", "https://crm.example.com"},
		{"https://crm.example.com", "https://crm.example.com:8443"},
		{"http://crm.example.com:443", "https://crm.example.com"},
		{"https://crm.example.com", "https://crm.example.com."},
		{"http://[::1]:3000", "http://127.0.0.1:3000"},
		{"http://[::1]:3000", "http://localhost:3000"},
		{"http://[::ffff:127.0.0.1]:3000", "http://127.0.0.1:3000"},
		{"https://crm.example.com", "https://example.com"},
	}
	for _, d := range different {
		if MustParse(d[0]) == MustParse(d[1]) {
			t.Errorf("%q and %q are equal, want different origins", d[0], d[1])
		}
	}
}

func TestAccessors(t *testing.T) {
	tests := []struct {
		in       string
		scheme   string
		host     string
		port     int
		loopback bool
	}{
		{"https://crm.example.com", "https", "crm.example.com", 443, false},
		{"http://crm.example.com", "http", "crm.example.com", 80, false},
		{"https://crm.example.com:8443", "https", "crm.example.com", 8443, false},
		{"http://localhost:3000", "http", "localhost", 3000, true},
		{"http://127.0.0.1", "http", "127.0.0.1", 80, true},
		{"http://127.9.8.7:1", "http", "127.9.8.7", 1, true},
		{"http://[::1]:3000", "http", "[::1]", 3000, true},
		{"http://[::ffff:127.0.0.1]", "http", "[::ffff:127.0.0.1]", 80, true},
		{"http://[::2]", "http", "[::2]", 80, false},
		{"http://localhost.example", "http", "localhost.example", 80, false},
		{"http://localhost.", "http", "localhost.", 80, false},
		{"http://128.0.0.1", "http", "128.0.0.1", 80, false},
	}
	for _, tt := range tests {
		o := MustParse(tt.in)
		if o.Scheme() != tt.scheme || o.Host() != tt.host || o.Port() != tt.port || o.IsLoopback() != tt.loopback {
			t.Errorf("%s: scheme %q host %q port %d loopback %v; want %q %q %d %v", tt.in,
				o.Scheme(), o.Host(), o.Port(), o.IsLoopback(), tt.scheme, tt.host, tt.port, tt.loopback)
		}
	}
}

func TestZeroOrigin(t *testing.T) {
	var o Origin
	if !o.IsZero() || o.String() != "" {
		t.Errorf("zero Origin: IsZero %v, String %q", o.IsZero(), o.String())
	}
	if MustParse("http://localhost").IsZero() {
		t.Error("a parsed origin is zero")
	}
}

func TestErrorsSayHowToFixIt(t *testing.T) {
	for in, want := range map[string]string{
		"https://bücher.example":              "xn--bcher-kva.example",
		"https://crm.example.com/":            "path",
		"https://user@crm.example.com":        "user info",
		"https://crm.example.com\\x":          "user info",
		"https://crm.example.com:0443":        "leading zeros",
		"https://[fe80::1%25eth0]":            "zone",
		"http://127.1":                        "four decimal parts",
		"null":                                "null origin",
		"https://" + strings.Repeat("x", 600): "longer than",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%.40q) = %v, want an error mentioning %q", in, err, want)
		}
		if err != nil && len(err.Error()) > 300 {
			t.Errorf("Parse(%.40q): error of %d bytes", in, len(err.Error()))
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(null) did not panic")
		}
	}()
	MustParse("null")
}

package origin

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: Parse never panics, refuses only with ErrInvalid, and what it accepts is
// a bare http(s) origin whose canonical text parses back to the same Origin.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"https://crm.example.com", "HTTP://A:80", "http://[::1]:1", "http://[0:0:0:0:0:0:0:1]:8080",
		"null", "file:///x", "https://a/b", "https://a:0", "https://[fe80::1%25x]", "http://a:b@c:1/d?e#f",
		"https://xn--bcher-kva.example", "https://bücher.example", "https://crm.example.com.", "http://127.1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		o, err := Parse(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || !o.IsZero() {
				t.Fatalf("Parse(%q) = %+v, %v; want the zero Origin and ErrInvalid", in, o, err)
			}
			return
		}
		s := o.String()
		again, err := Parse(s)
		if err != nil || again != o || again.String() != s {
			t.Fatalf("not idempotent: %q -> %q -> %+v, %v", in, s, again, err)
		}
		if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			t.Fatalf("Parse(%q) = %q: not http(s)", in, s)
		}
		if strings.ContainsAny(strings.TrimPrefix(strings.TrimPrefix(s, "http://"), "https://"), "/?#@%\\ ") {
			t.Fatalf("Parse(%q) = %q: more than scheme://host[:port]", in, s)
		}
	})
}

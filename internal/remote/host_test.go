package remote

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/crypto/acme/autocert"
)

// FuzzCanonicalHost checks that host parsing never panics and that every
// accepted host is one autocert's HostWhitelist accepts unchanged, is not an
// address or a loopback name, and is a fixed point of canonicalHost.
func FuzzCanonicalHost(f *testing.F) {
	for _, s := range []string{
		"phone.example.com", "PHONE.Example.Com", "xn--tlphone-byab.example.com",
		"localhost", "a.localhost", "127.0.0.1", "127.1", "0x7f.1", "[::1]", "::ffff:127.0.0.1",
		"*.example.com", "phone.example.com.", "a..b", "-a.b", "a-.b", "téléphone.fr",
		"\u212aexample.com", "xn--zz.com", "x.home.arpa", "a.b:443", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		h, err := canonicalHost(raw)
		if err != nil {
			if h != "" {
				t.Fatalf("canonicalHost(%q) returned %q with error %v", raw, h, err)
			}
			return
		}
		if h != strings.ToLower(raw) {
			t.Fatalf("canonicalHost(%q) = %q, want only lower-casing", raw, h)
		}
		if again, err := canonicalHost(h); err != nil || again != h {
			t.Fatalf("canonicalHost(%q) = %q, %v; not a fixed point", h, again, err)
		}
		if _, err := netip.ParseAddr(h); err == nil {
			t.Fatalf("accepted IP literal %q", h)
		}
		if h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.ContainsAny(h, "*: ") {
			t.Fatalf("accepted %q", h)
		}
		if err := autocert.HostWhitelist(h)(context.Background(), h); err != nil {
			t.Fatalf("HostWhitelist does not accept canonical host %q: %v", h, err)
		}
	})
}

func TestCanonicalHostErrorsWrapOneSentinel(t *testing.T) {
	for _, raw := range []string{"", "*", "1.2.3.4", "localhost", "phone", "a..b", "é.com"} {
		_, err := canonicalHost(raw)
		n := 0
		for _, s := range []error{ErrHostSyntax, ErrHostIP, ErrHostWildcard, ErrHostLoopback, ErrHostNotPublic} {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("canonicalHost(%q) = %v, matches %d host sentinels, want 1", raw, err, n)
		}
	}
}

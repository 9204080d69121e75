package pairing

import (
	"errors"
	"testing"
)

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://crm.example.com", "https://crm.example.com"},
		{"HTTPS://CRM.Example.COM", "https://crm.example.com"},
		{"https://crm.example.com:443", "https://crm.example.com"},
		{"http://crm.example.com:80", "http://crm.example.com"},
		{"http://crm.example.com:443", "http://crm.example.com:443"},
		{"https://crm.example.com:8443", "https://crm.example.com:8443"},
		{"https://crm.example.com:08443", "https://crm.example.com:8443"},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000"},
		{"http://[::1]:3000", "http://[::1]:3000"},
		{"http://[0:0:0:0:0:0:0:1]", "http://[::1]"},
		{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example"},
		{"http://localhost", "http://localhost"},
	}
	for _, tt := range tests {
		got, err := NormalizeOrigin(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeOriginRefuses(t *testing.T) {
	for _, in := range []string{
		"", "null", "file://", "file:///etc/passwd", "chrome-extension://abcdef",
		"ws://crm.example.com", "https://crm.example.com/", "https://crm.example.com/app",
		"https://crm.example.com?x=1", "https://crm.example.com#f", "https://crm.example.com?",
		"https://user:pw@crm.example.com", "https://", "https://:443", "https://crm.example.com:",
		"https://crm.example.com:0", "https://crm.example.com:65536", "https://crm.example.com:x",
		"https://*.example.com", "https://bücher.example", "https://crm .example.com",
		"https://crm.example.com\n", "https://[fe80::1%25eth0]", "https://[1.2.3.4]",
		"crm.example.com", "//crm.example.com", "https:crm.example.com", "https://a..b",
		"https://" + string(make([]byte, 600)),
	} {
		if got, err := NormalizeOrigin(in); !errors.Is(err, ErrBadOrigin) {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want ErrBadOrigin", in, got, err)
		}
	}
}

func FuzzNormalizeOrigin(f *testing.F) {
	for _, s := range []string{"https://crm.example.com", "HTTP://A:80", "http://[::1]:1", "null",
		"file:///x", "https://a/b", "https://a:0", "https://[fe80::1%25x]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeOrigin(in)
		if err != nil {
			if !errors.Is(err, ErrBadOrigin) {
				t.Fatalf("error not ErrBadOrigin: %v", err)
			}
			return
		}
		again, err := NormalizeOrigin(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
	})
}

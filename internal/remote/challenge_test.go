package remote

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestChallengeHandler(t *testing.T) {
	tests := []struct {
		name     string
		listen   string
		method   string
		host     string
		target   string
		status   int
		location string
	}{
		{"GET redirects to https", "127.0.0.1:443", http.MethodGet, allowedHost, "/app?x=1", http.StatusFound, "https://phone.example.com/app?x=1"},
		{"HEAD redirects", "127.0.0.1:443", http.MethodHead, allowedHost, "/", http.StatusFound, "https://phone.example.com/"},
		{"port of the TLS listener kept", "127.0.0.1:8443", http.MethodGet, allowedHost + ":80", "/ws", http.StatusFound, "https://phone.example.com:8443/ws"},
		{"host case folded", "127.0.0.1:443", http.MethodGet, "PHONE.example.com", "/", http.StatusFound, "https://phone.example.com/"},
		{"unknown host is no open redirect", "127.0.0.1:443", http.MethodGet, "evil.example.net", "/", http.StatusMisdirectedRequest, ""},
		{"POST refused", "127.0.0.1:443", http.MethodPost, allowedHost, "/", http.StatusBadRequest, ""},
		{"challenge for an unknown host", "127.0.0.1:443", http.MethodGet, "evil.example.net", "/.well-known/acme-challenge/tok", http.StatusForbidden, ""},
		{"unknown challenge token", "127.0.0.1:443", http.MethodGet, allowedHost, "/.well-known/acme-challenge/tok", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dl := &dialLog{}
			cfg := testConfig(t)
			cfg.Listen = tt.listen
			h := newTestRemote(t, cfg, dl).ChallengeHandler()

			req := httptest.NewRequest(tt.method, "http://"+tt.host+tt.target, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d (body %q)", rec.Code, tt.status, rec.Body.String())
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Fatalf("Location %q, want %q", got, tt.location)
			}
			if len(dl.dialed()) != 0 {
				t.Fatalf("ACME client dialed %v", dl.dialed())
			}
		})
	}
}

// A real http.Server over loopback: a plain GET gets only a redirect, and
// the client does not follow it anywhere.
func TestChallengeHandlerServesNoContent(t *testing.T) {
	cfg := testConfig(t)
	srv := httptest.NewServer(newTestRemote(t, cfg, &dialLog{}).ChallengeHandler())
	defer srv.Close()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/index.html", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = allowedHost
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("status %d, want a redirect", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); loc != "https://"+allowedHost+"/index.html" {
		t.Fatalf("Location %q", loc)
	}
	// At most net/http's one-line redirect notice pointing at the target.
	if len(body) > 100 || (len(body) > 0 && !strings.Contains(string(body), "https://"+allowedHost+"/index.html")) {
		t.Fatalf("body %q is content, not a redirect notice", body)
	}
}

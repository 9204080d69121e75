package control

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var testPage = "<!doctype html><title>softphone</title>"

func guardedServer(t *testing.T) *Server {
	return startServer(t, Config{
		AllowedOrigins: []string{"https://crm.example.com", "http://app.example.com:8080"},
		Token:          testToken,
		Static:         fstest.MapFS{"index.html": {Data: []byte(testPage)}},
		Version:        "1.2.3",
	}, newFakeBackend(), nil)
}

// httpDo sends one plain HTTP request to the server's 127.0.0.1 socket with the given
// Host header and extra headers.
func httpDo(t *testing.T, s *Server, method, path, host string, h http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, "http://127.0.0.1:"+strconv.Itoa(s.Port())+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range h {
		req.Header[k] = v
	}
	client := http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second} // no proxy
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestHTTPGuards(t *testing.T) {
	s := guardedServer(t)
	p := strconv.Itoa(s.Port())
	origin := func(o ...string) http.Header { return http.Header{"Origin": o} }
	tests := []struct {
		name   string
		method string
		path   string
		host   string // "" = 127.0.0.1:P
		header http.Header
		want   int
		body   string // a substring of the body, when set
	}{
		{"health", "GET", "/health", "", nil, 200, `"engine":"wpservice"`},
		{"health via localhost", "GET", "/health", "localhost:" + p, nil, 200, ""},
		{"health via LOCALHOST", "GET", "/health", "LOCALHOST:" + p, nil, 200, ""},
		{"health via [::1]", "GET", "/health", "[::1]:" + p, nil, 200, ""},
		{"rebinding host", "GET", "/health", "evil.example.com:" + p, nil, 403, ""},
		{"loopback host, other port", "GET", "/health", "127.0.0.1:1", nil, 403, ""},
		{"host without port", "GET", "/health", "127.0.0.1", nil, 403, ""},
		{"0.0.0.0 host", "GET", "/health", "0.0.0.0:" + p, nil, 403, ""},
		{"allowed origin", "GET", "/health", "", origin("https://crm.example.com"), 200, ""},
		{"allowed origin, default port spelled", "GET", "/health", "", origin("https://crm.example.com:443"), 200, ""},
		{"allowed origin with port", "GET", "/health", "", origin("http://app.example.com:8080"), 200, ""},
		{"own origin", "GET", "/health", "", origin("http://127.0.0.1:" + p), 200, ""},
		{"own origin via localhost", "GET", "/health", "", origin("http://localhost:" + p), 200, ""},
		{"own origin via [::1]", "GET", "/health", "", origin("http://[::1]:" + p), 200, ""},
		{"unlisted origin", "GET", "/health", "", origin("https://evil.example.com"), 403, ""},
		{"origin suffix trick", "GET", "/health", "", origin("https://crm.example.com.evil.com"), 403, ""},
		{"origin scheme differs", "GET", "/health", "", origin("http://crm.example.com"), 403, ""},
		{"origin port differs", "GET", "/health", "", origin("https://crm.example.com:8443"), 403, ""},
		{"own host, other port", "GET", "/health", "", origin("http://127.0.0.1:1"), 403, ""},
		{"null origin", "GET", "/health", "", origin("null"), 403, ""},
		{"file origin", "GET", "/health", "", origin("file://"), 403, ""},
		{"empty origin", "GET", "/health", "", origin(""), 403, ""},
		{"two origins", "GET", "/health", "", origin("https://crm.example.com", "https://evil.example.com"), 403, ""},
		{"static page", "GET", "/", "", nil, 200, testPage},
		{"static page, evil host", "GET", "/", "evil.example.com:" + p, nil, 403, ""},
		{"no state-changing methods", "POST", "/health", "", nil, 405, ""},
		{"no PUT on static", "PUT", "/", "", nil, 405, ""},
		{"ws without origin or token", "GET", "/ws", "", nil, 401, ""},
		{"ws with wrong token", "GET", "/ws", "", http.Header{"Authorization": {"Bearer nope"}}, 401, ""},
		{"ws with token, not an upgrade", "GET", "/ws", "", http.Header{"Authorization": {"Bearer " + testToken}}, 400, ""},
		{"unknown path", "GET", "/nope", "", nil, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := httpDo(t, s, tc.method, tc.path, tc.host, tc.header)
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.want)
			}
			body, _ := io.ReadAll(resp.Body)
			if tc.body != "" && !strings.Contains(string(body), tc.body) {
				t.Errorf("body %q does not contain %q", body, tc.body)
			}
			checkSecurityHeaders(t, resp.Header)
		})
	}
}

func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, part := range []string{"default-src 'self'", "frame-ancestors 'none'", "connect-src 'self' ws://127.0.0.1:*"} {
		if !strings.Contains(csp, part) {
			t.Errorf("CSP %q lacks %q", csp, part)
		}
	}
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			t.Errorf("CORS header %s = %q: the API never grants cross-origin reads", k, h.Get(k))
		}
	}
}

func TestWebSocketGuards(t *testing.T) {
	s := guardedServer(t)
	p := strconv.Itoa(s.Port())
	tests := []struct {
		name   string
		query  string
		header http.Header
		want   int // 101 = upgraded
	}{
		{"no origin, no token", "", nil, 401},
		{"no origin, wrong bearer", "", http.Header{"Authorization": {"Bearer wrong"}}, 401},
		{"no origin, wrong query token", "?token=wrong", nil, 401},
		{"no origin, bearer token", "", http.Header{"Authorization": {"Bearer " + testToken}}, 101},
		{"no origin, query token", "?token=" + testToken, nil, 101},
		{"allowed origin", "", http.Header{"Origin": {"https://crm.example.com"}}, 101},
		{"own origin", "", http.Header{"Origin": {"http://127.0.0.1:" + p}}, 101},
		// gorilla's default CheckOrigin refuses this one: the page is on localhost,
		// the socket on 127.0.0.1.
		{"own page on localhost", "", http.Header{"Origin": {"http://localhost:" + p}}, 101},
		{"unlisted origin", "", http.Header{"Origin": {"https://evil.example.com"}}, 403},
		{"unlisted origin with token", "", http.Header{"Origin": {"https://evil.example.com"}, "Authorization": {"Bearer " + testToken}}, 403},
		{"null origin", "", http.Header{"Origin": {"null"}}, 403},
		{"file origin", "", http.Header{"Origin": {"file://"}}, 403},
		{"rebinding host with token", "", http.Header{"Host": {"evil.example.com:" + p}, "Authorization": {"Bearer " + testToken}}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws, resp, err := wsDial(s, tc.query, tc.header)
			if ws != nil {
				_ = ws.Close()
			}
			if resp == nil {
				t.Fatalf("no HTTP response: %v", err)
			}
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d (err %v)", resp.StatusCode, tc.want, err)
			}
			checkSecurityHeaders(t, resp.Header)
		})
	}
}

func TestBearer(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"Bearer  abc ", "abc", true},
		{"Bearer ", "", false},
		{"Basic abc", "", false},
		{"abc", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := bearer(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("bearer(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

package control

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// contentSecurityPolicy lets our own page talk to a loopback WebSocket and nothing else.
const contentSecurityPolicy = "default-src 'self'; " +
	"connect-src 'self' ws://127.0.0.1:* ws://localhost:* ws://[::1]:*; " +
	"frame-ancestors 'self'"

// policy decides who may talk to a server bound on one port: the Host header
// (against DNS rebinding), the Origin header (which web pages) and the token (which
// local programs).
type policy struct {
	port      string
	origins   map[string]bool // normalised: the allowed origins and our own
	token     [sha256.Size]byte
	haveToken bool
}

func newPolicy(port int, allowed map[string]bool, token string) *policy {
	p := &policy{
		port:      strconv.Itoa(port),
		origins:   make(map[string]bool, len(allowed)+3),
		token:     sha256.Sum256([]byte(token)),
		haveToken: token != "",
	}
	for o := range allowed {
		p.origins[o] = true
	}
	for _, o := range ownOrigins(port) {
		p.origins[o] = true
	}
	return p
}

// hostAllowed reports whether host is 127.0.0.1:P, [::1]:P or localhost:P.
func (p *policy) hostAllowed(host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil || port != p.port {
		return false
	}
	switch strings.ToLower(h) {
	case "127.0.0.1", "::1", "localhost":
		return true
	}
	return false
}

// originAllowed reports whether a present Origin header names an allowed origin.
// "null", file:// and anything that is not a bare http(s) origin are refused.
func (p *policy) originAllowed(origin string) bool {
	n, ok := normalizeOrigin(origin)
	return ok && p.origins[n]
}

// tokenValid reports whether r carries the token, as a bearer credential or as the
// token query parameter. The comparison is constant-time over fixed-size digests.
func (p *policy) tokenValid(r *http.Request) bool {
	if !p.haveToken {
		return false
	}
	got, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		got = r.URL.Query().Get("token")
	}
	if got == "" {
		return false
	}
	sum := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(sum[:], p.token[:]) == 1
}

// bearer extracts the credential of an "Authorization: Bearer <token>" value.
func bearer(header string) (string, bool) {
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	cred = strings.TrimSpace(cred)
	return cred, cred != ""
}

// guard wraps every route: security headers on every response, then the Host check
// and, when an Origin header is present, the Origin check. It never sets CORS headers.
func guard(p *policy, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Cache-Control", "no-store")

		if !p.hostAllowed(r.Host) {
			refuse(w, log, r, http.StatusForbidden, "host not allowed")
			return
		}
		if origins, present := r.Header["Origin"]; present {
			if len(origins) != 1 || !p.originAllowed(origins[0]) {
				refuse(w, log, r, http.StatusForbidden, "origin not allowed")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// requireClient lets a request through when it came from an allowed web page (guard
// has checked its Origin) or, without an Origin, when it carries the token.
func requireClient(p *policy, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, fromPage := r.Header["Origin"]; !fromPage && !p.tokenValid(r) {
			refuse(w, log, r, http.StatusUnauthorized, "no origin and no valid token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func refuse(w http.ResponseWriter, log *slog.Logger, r *http.Request, status int, reason string) {
	// Never log the URL or the Authorization header: either may carry the token.
	log.Info("request refused", "status", status, "reason", reason,
		"path", r.URL.Path, "host", r.Host, "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
	http.Error(w, http.StatusText(status), status)
}

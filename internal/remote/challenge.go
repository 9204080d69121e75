package remote

import (
	"net"
	"net/http"
	"slices"
	"strings"
)

// ChallengeHandler returns the handler to serve on Config.HTTPChallenge
// (normally port 80) for http-01. It answers /.well-known/acme-challenge/
// tokens for configured hosts and redirects every other GET or HEAD to the
// https listener; it never serves content. Unlike autocert's default
// redirect, it refuses Host headers that are not configured, so it is not an
// open redirector. Calling it also tells the manager that http-01 may be
// used.
func (r *Remote) ChallengeHandler() http.Handler {
	return r.manager.HTTPHandler(http.HandlerFunc(r.redirectToTLS))
}

// redirectToTLS sends a browser on plain http to the same path over https.
func (r *Remote) redirectToTLS(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		http.Error(w, "use https", http.StatusBadRequest)
		return
	}
	host := strings.ToLower(hostOnly(req.Host))
	if !slices.Contains(r.hosts, host) {
		http.Error(w, "unknown host", http.StatusMisdirectedRequest)
		return
	}
	target := "https://" + host + r.tlsPortSuffix() + req.URL.RequestURI()
	http.Redirect(w, req, target, http.StatusFound)
}

// tlsPortSuffix is ":port" for the https listener, or "" for the default
// port 443 (and for port 0, which only tests use).
func (r *Remote) tlsPortSuffix() string {
	_, port, _ := net.SplitHostPort(r.cfg.Listen) // validated in New
	if port == "443" || port == "0" {
		return ""
	}
	return ":" + port
}

// hostOnly strips an optional port from a Host header.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

package control

import (
	"crypto/tls"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

// Config configures a Server.
type Config struct {
	// Port is the preferred loopback port; 0 picks an ephemeral one (tests).
	Port int
	// FallbackPorts are tried in order when Port is taken.
	FallbackPorts []int
	// AllowedOrigins are web origins (scheme://host[:port]) the administrator
	// provisioned with control permission: their pages need no pairing. Matching is
	// exact after normalisation: the scheme and host are lower-cased and a default
	// port (80, 443) is dropped. An entry with a path (a trailing slash included) is
	// refused by New, and so is an origin listed twice.
	AllowedOrigins []string
	// AdminOrigins are provisioned origins that may also change the account and
	// approve other origins, like the engine's own page.
	AdminOrigins []string
	// ReadOnlyOrigins are provisioned origins that may only observe.
	ReadOnlyOrigins []string
	// FrameAncestors are the origins allowed to frame the engine's own page; empty
	// forbids framing (clickjacking of the approval page).
	FrameAncestors []string
	// Pairing, when set, lets the user approve other https origins (and http pages on
	// loopback); nil switches user pairing off, so only provisioned origins get in.
	Pairing *pairing.Store
	// Notify publishes an engine event (pair.changed) to every watcher, in seq order
	// with the engine's other events; nil publishes nothing.
	Notify func(event string, data any)
	// TLS, when set, also serves the API as https/wss on TLSPort (or the first free
	// TLSFallbackPorts), for Safari and for pages that require wss.
	TLS              *tls.Config
	TLSPort          int
	TLSFallbackPorts []int
	// Token authorises clients that send no Origin header (CLI, scripts), as
	// "Authorization: Bearer <token>" or "?token=<token>". Empty refuses them all.
	Token string
	// Static is served at / (the softphone page); nil serves nothing there.
	Static fs.FS
	// Version is reported by /health.
	Version string
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
}

// validate checks cfg and returns the provisioned origins (normalised) with their
// permission, and the normalised frame ancestors.
func (cfg Config) validate() (map[string]string, []string, error) {
	ports := append([]int{cfg.Port}, cfg.FallbackPorts...)
	ports = append(append(ports, cfg.TLSPort), cfg.TLSFallbackPorts...)
	for _, p := range ports {
		if p < 0 || p > 65535 {
			return nil, nil, fmt.Errorf("%w: %d", ErrInvalidPort, p)
		}
	}
	origins := map[string]string{}
	lists := []struct {
		perm    string
		origins []string
	}{
		{api.PermControl, cfg.AllowedOrigins},
		{api.PermAdmin, cfg.AdminOrigins},
		{api.PermRead, cfg.ReadOnlyOrigins},
	}
	for _, l := range lists {
		for _, o := range l.origins {
			n, ok := normalizeOrigin(o)
			if !ok {
				return nil, nil, fmt.Errorf("%w: %q", ErrInvalidOrigin, o)
			}
			if _, dup := origins[n]; dup {
				return nil, nil, fmt.Errorf("%w: %q is listed twice", ErrInvalidOrigin, o)
			}
			origins[n] = l.perm
		}
	}
	var ancestors []string
	for _, o := range cfg.FrameAncestors {
		n, ok := normalizeOrigin(o)
		if !ok {
			return nil, nil, fmt.Errorf("%w: frame ancestor %q", ErrInvalidOrigin, o)
		}
		ancestors = append(ancestors, n)
	}
	return origins, ancestors, nil
}

// normalizeOrigin turns a serialised origin into the canonical form used for
// comparison: lower-case scheme and host, no default port. It refuses anything that
// is not a bare http(s) origin: "null", file://, paths, queries, user info.
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.Path != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	defaultPort := map[string]string{"http": "80", "https": "443"}[scheme]
	if defaultPort == "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", false
	}
	port := u.Port()
	if port == "" && strings.HasSuffix(u.Host, ":") {
		return "", false
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "", false
		}
	}
	if port == defaultPort {
		port = ""
	}
	if port == "" {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return scheme + "://" + host, true
	}
	return scheme + "://" + net.JoinHostPort(host, port), true
}

// ownOrigins are the origins of pages served by this server on port, over http or
// (for the wss listener) https.
func ownOrigins(scheme string, port int) []string {
	p := strconv.Itoa(port)
	return []string{
		scheme + "://127.0.0.1:" + p,
		scheme + "://localhost:" + p,
		scheme + "://[::1]:" + p,
	}
}

// pairable reports whether a page on origin (normalised) may ask the user for
// pairing: https pages, and http pages on loopback (local development). A plain
// http page elsewhere could be rewritten by anyone on its network, so it must be
// provisioned by the administrator instead.
func pairable(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

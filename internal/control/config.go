package control

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Config configures a Server.
type Config struct {
	// Port is the preferred loopback port; 0 picks an ephemeral one (tests).
	Port int
	// FallbackPorts are tried in order when Port is taken.
	FallbackPorts []int
	// AllowedOrigins are the web origins (scheme://host[:port]) whose pages may use
	// the API, besides our own origin. Matching is exact after normalisation: the
	// scheme and host are lower-cased and a default port (80, 443) is dropped. An
	// entry with a path (a trailing slash included) is refused by New.
	AllowedOrigins []string
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

// validate checks cfg and returns the normalised allowed origins.
func (cfg Config) validate() (map[string]bool, error) {
	for _, p := range append([]int{cfg.Port}, cfg.FallbackPorts...) {
		if p < 0 || p > 65535 {
			return nil, fmt.Errorf("%w: %d", ErrInvalidPort, p)
		}
	}
	origins := make(map[string]bool, len(cfg.AllowedOrigins))
	for _, o := range cfg.AllowedOrigins {
		n, ok := normalizeOrigin(o)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrInvalidOrigin, o)
		}
		origins[n] = true
	}
	return origins, nil
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

// ownOrigins are the origins of pages served by this server on port.
func ownOrigins(port int) []string {
	p := strconv.Itoa(port)
	return []string{
		"http://127.0.0.1:" + p,
		"http://localhost:" + p,
		"http://[::1]:" + p,
	}
}

package control

import (
	"crypto/tls"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/origin"
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
	// exact between canonical forms (see package origin): the scheme and host are
	// lower-cased, an IPv6 address is compressed and a default port (80, 443) is
	// dropped. An entry that origin.Parse refuses (a path or a trailing slash
	// included) is refused by New, and so is an origin listed twice.
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

// validate checks cfg and returns the provisioned origins with their permission,
// and the frame ancestors in canonical form.
func (cfg Config) validate() (map[origin.Origin]string, []string, error) {
	ports := append([]int{cfg.Port}, cfg.FallbackPorts...)
	ports = append(append(ports, cfg.TLSPort), cfg.TLSFallbackPorts...)
	for _, p := range ports {
		if p < 0 || p > 65535 {
			return nil, nil, fmt.Errorf("%w: %d", ErrInvalidPort, p)
		}
	}
	origins := map[origin.Origin]string{}
	lists := []struct {
		perm    string
		origins []string
	}{
		{api.PermControl, cfg.AllowedOrigins},
		{api.PermAdmin, cfg.AdminOrigins},
		{api.PermRead, cfg.ReadOnlyOrigins},
	}
	for _, l := range lists {
		for _, s := range l.origins {
			o, err := origin.Parse(s)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: %w", ErrInvalidOrigin, err)
			}
			if _, dup := origins[o]; dup {
				return nil, nil, fmt.Errorf("%w: %q is listed twice", ErrInvalidOrigin, s)
			}
			origins[o] = l.perm
		}
	}
	var ancestors []string
	for _, s := range cfg.FrameAncestors {
		o, err := origin.Parse(s)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: frame ancestor: %w", ErrInvalidOrigin, err)
		}
		ancestors = append(ancestors, o.String())
	}
	return origins, ancestors, nil
}

// ownOrigins are the origins of pages served by this server on port, over http or
// (for the wss listener) https.
func ownOrigins(scheme string, port int) []origin.Origin {
	p := strconv.Itoa(port)
	return []origin.Origin{
		origin.MustParse(scheme + "://127.0.0.1:" + p),
		origin.MustParse(scheme + "://localhost:" + p),
		origin.MustParse(scheme + "://[::1]:" + p),
	}
}

// pairable reports whether a page on o may ask the user for pairing: https pages,
// and http pages on loopback (local development). A plain http page elsewhere could
// be rewritten by anyone on its network, so it must be provisioned by the
// administrator instead.
func pairable(o origin.Origin) bool {
	return o.Scheme() == "https" || o.IsLoopback()
}

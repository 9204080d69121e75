package control

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/origin"
)

// connectSources lets our own page talk to a loopback WebSocket and nothing else.
const connectSources = "connect-src 'self' ws://127.0.0.1:* ws://localhost:* ws://[::1]:* " +
	"wss://127.0.0.1:* wss://localhost:* wss://[::1]:*"

// policy decides who may talk to one listener: the Host header (against DNS
// rebinding), the Origin header (which web pages, with which permission) and the
// token (which local programs). The admin socket has its own policy: the operating
// system has already checked the peer, so there is no Host check and no token, and
// a browser (any Origin) is refused.
type policy struct {
	port        string                   // the listener's port; "" on the admin socket
	own         map[origin.Origin]bool   // our own page's origins on this listener
	provisioned map[origin.Origin]string // permissions, from the config
	pairing     bool                     // unknown pairable origins may ask the user
	token       [sha256.Size]byte
	haveToken   bool
	adminSocket bool
	remote      map[string]bool // remote mode: the public host names; nil on loopback
	csp         string
	denyFraming bool
}

func newPolicy(scheme string, port int, cfg Config, provisioned map[origin.Origin]string, ancestors []string) *policy {
	p := &policy{
		port:        strconv.Itoa(port),
		own:         map[origin.Origin]bool{},
		provisioned: provisioned,
		pairing:     cfg.Pairing != nil,
		token:       sha256.Sum256([]byte(cfg.Token)),
		haveToken:   cfg.Token != "",
	}
	for _, o := range ownOrigins(scheme, port) {
		p.own[o] = true
	}
	p.setFraming(ancestors)
	return p
}

// newRemotePolicy is for the optional public listener: Host must be one of hosts,
// there is no "own page", and every browser must authenticate with a pairing token,
// provisioned or not; programs without Origin need the token, as on loopback.
func newRemotePolicy(hosts []string, cfg Config, provisioned map[origin.Origin]string, ancestors []string) *policy {
	p := &policy{
		remote:      map[string]bool{},
		provisioned: provisioned,
		pairing:     cfg.Pairing != nil,
		token:       sha256.Sum256([]byte(cfg.Token)),
		haveToken:   cfg.Token != "",
	}
	for _, h := range hosts {
		p.remote[strings.ToLower(h)] = true
	}
	p.setFraming(ancestors)
	return p
}

func newAdminPolicy(ancestors []string) *policy {
	p := &policy{adminSocket: true}
	p.setFraming(ancestors)
	return p
}

func (p *policy) setFraming(ancestors []string) {
	frame := "'none'"
	if len(ancestors) > 0 {
		frame = strings.Join(ancestors, " ")
	}
	p.csp = "default-src 'self'; " + connectSources + "; frame-ancestors " + frame
	p.denyFraming = len(ancestors) == 0
}

// hostAllowed reports whether host is 127.0.0.1:P, [::1]:P or localhost:P.
func (p *policy) hostAllowed(host string) bool {
	if p.adminSocket {
		return true
	}
	if p.remote != nil {
		h, _, err := net.SplitHostPort(host)
		if err != nil {
			h = host
		}
		return p.remote[strings.ToLower(h)]
	}
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

// originPermission classifies a present Origin header: the permission of our own
// page or of a provisioned origin, or "" with pair true for an origin that may ask
// the user. ok is false for everything else: unlisted origins when pairing is off
// or the origin is not pairable, "null", file://, paths, anything malformed.
func (p *policy) originPermission(header string) (o origin.Origin, perm string, pair, ok bool) {
	if p.adminSocket {
		return origin.Origin{}, "", false, false
	}
	n, err := origin.Parse(header)
	switch {
	case err != nil:
		return origin.Origin{}, "", false, false
	case p.remote != nil:
		// Remote mode: a token is mandatory for every page.
		return n, "", true, p.pairing && (p.provisioned[n] != "" || pairable(n))
	case p.own[n]:
		return n, api.PermAdmin, false, true
	case p.provisioned[n] != "":
		return n, p.provisioned[n], false, true
	case p.pairing && pairable(n):
		return n, "", true, true
	}
	return origin.Origin{}, "", false, false
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
// and, when an Origin header is present, the Origin check. Only /ws admits an
// origin that still has to pair; the page and /health are for our own page and
// provisioned origins. It never sets CORS headers.
func guard(p *policy, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", p.csp)
		h.Set("Cache-Control", "no-store")
		if p.denyFraming {
			h.Set("X-Frame-Options", "DENY")
		}

		if !p.hostAllowed(r.Host) {
			refuse(w, log, r, http.StatusForbidden, "host not allowed")
			return
		}
		if origins, present := r.Header["Origin"]; present {
			if len(origins) != 1 {
				refuse(w, log, r, http.StatusForbidden, "origin not allowed")
				return
			}
			_, _, pair, ok := p.originPermission(origins[0])
			if !ok || pair && r.URL.Path != "/ws" {
				refuse(w, log, r, http.StatusForbidden, "origin not allowed")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// identity is what the handshake established about a WebSocket client.
type identity struct {
	origin origin.Origin // the page's origin; zero for a client without one
	perm   string        // the permission; "" while a pairable origin has not authenticated
	pair   bool          // the origin must present a pairing token (or pair) in auth
	authed bool          // authenticated by the handshake: admin socket or token header
}

// identify classifies a WebSocket handshake that guard has let through. A request
// without Origin needs the token (or the admin socket); it gets admin permission,
// being a program of the same user. ok is false when it must be refused (401).
func (p *policy) identify(r *http.Request) (id identity, ok bool) {
	origins, fromPage := r.Header["Origin"]
	switch {
	case p.adminSocket:
		return identity{perm: api.PermAdmin, authed: true}, true
	case !fromPage && p.remote != nil: // admin stays on this machine
		return identity{perm: api.PermControl, authed: true}, p.tokenValid(r)
	case !fromPage:
		return identity{perm: api.PermAdmin, authed: true}, p.tokenValid(r)
	}
	n, perm, pair, ok := p.originPermission(origins[0])
	return identity{origin: n, perm: perm, pair: pair}, ok
}

func refuse(w http.ResponseWriter, log *slog.Logger, r *http.Request, status int, reason string) {
	// Never log the URL or the Authorization header: either may carry the token.
	log.Info("request refused", "status", status, "reason", reason,
		"path", r.URL.Path, "host", r.Host, "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
	http.Error(w, http.StatusText(status), status)
}

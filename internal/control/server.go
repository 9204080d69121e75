// Package control is the loopback front door of the engine: an HTTP server on
// 127.0.0.1 and ::1 that serves /health, the softphone page and the /ws command and
// event WebSocket. It checks Host, Origin and token on every request, runs one read
// and one write pump per connection, decodes commands strictly through a dispatch
// table and sends a snapshot (hello) followed by ordered events. It reaches the
// engine only through Backend and knows nothing of SIP or audio.
package control

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/origin"
	"github.com/wpservice/wpservice/internal/peeruser"
)

// Server is the control API server. Create it with New, then Start and Close.
type Server struct {
	cfg         Config
	backend     Backend
	log         *slog.Logger
	provisioned map[origin.Origin]string // permissions of the configured origins
	ancestors   []string                 // normalised FrameAncestors
	gate        *gate
	commands    commandTable
	timing      timing
	connIDs     atomic.Uint64

	mu        sync.Mutex
	started   bool
	closed    bool
	port      int
	tlsPort   int
	servers   []*http.Server
	listeners []net.Listener // every bound listener, TLS ones unwrapped
	conns     map[*conn]struct{}
	wg        sync.WaitGroup // Serve loops and live connections
}

// New checks cfg and returns a server that is not yet listening.
func New(cfg Config, backend Backend) (*Server, error) {
	if backend == nil {
		return nil, ErrNoBackend
	}
	provisioned, ancestors, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	table, err := buildRoutes(backend.Handlers())
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg:         cfg,
		backend:     backend,
		log:         log.With("component", "control"),
		provisioned: provisioned,
		ancestors:   ancestors,
		gate:        newGate(cfg.Pairing, provisioned, cfg.Notify),
		commands:    table,
		timing:      defaultTiming(),
		conns:       map[*conn]struct{}{},
	}, nil
}

// Start binds 127.0.0.1 and ::1 (the preferred port, else the first free fallback)
// and serves in the background; with TLS configured it also serves https/wss on the
// TLS port.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.started:
		return ErrStarted
	}
	lns, port, err := listenLoopback(s.cfg.Port, s.cfg.FallbackPorts, s.log)
	if err != nil {
		return err
	}
	var tlsLns []net.Listener
	if s.cfg.TLS != nil {
		if tlsLns, s.tlsPort, err = listenLoopback(s.cfg.TLSPort, s.cfg.TLSFallbackPorts, s.log); err != nil {
			closeAll(lns)
			return err
		}
	}
	if s.cfg.Token == "" {
		s.log.Info("no token configured: clients without an Origin are refused")
	}
	s.started, s.port = true, port
	s.serve(s.sameUser(lns), newPolicy("http", port, s.cfg, s.provisioned, s.ancestors), nil)
	if s.cfg.TLS != nil {
		s.serve(s.sameUser(tlsLns), newPolicy("https", s.tlsPort, s.cfg, s.provisioned, s.ancestors), s.cfg.TLS)
	}
	return nil
}

// sameUser keeps other users of a shared computer off the loopback listeners: a
// connection whose client socket belongs to another OS user is dropped at accept.
func (s *Server) sameUser(lns []net.Listener) []net.Listener {
	out := make([]net.Listener, len(lns))
	for i, ln := range lns {
		out[i] = peeruser.Listener(ln, s.log)
	}
	return out
}

// ServeAdmin serves the API on ln, the owner-only admin socket: every client is an
// admin without a token, and browsers (any Origin) are refused. Close stops it.
func (s *Server) ServeAdmin(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.serve([]net.Listener{ln}, newAdminPolicy(s.ancestors), nil)
	return nil
}

// ServeRemote serves the API on ln, a public TLS listener (remote mode), for the
// given host names. There every browser authenticates with a pairing token and
// programs with the token; the engine's page is not served. Close stops it.
func (s *Server) ServeRemote(ln net.Listener, hosts []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if len(hosts) == 0 {
		return ErrNoRemoteHosts
	}
	s.serve([]net.Listener{ln}, newRemotePolicy(hosts, s.cfg, s.provisioned, s.ancestors), nil)
	return nil
}

// serve runs one HTTP server with policy p on lns, over TLS when tc is set. Caller holds s.mu.
func (s *Server) serve(lns []net.Listener, p *policy, tc *tls.Config) {
	srv := &http.Server{
		Handler:           s.routes(p),
		TLSConfig:         tc,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.servers = append(s.servers, srv)
	s.listeners = append(s.listeners, lns...)
	for _, ln := range lns {
		if tc != nil {
			ln = tls.NewListener(ln, tc)
		}
		s.wg.Go(func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("serve ended", "addr", ln.Addr().String(), "err", err)
			}
		})
		s.log.Info("control API listening", "addr", ln.Addr().String(), "tls", tc != nil,
			"admin", p.adminSocket, "remote", p.remote != nil)
	}
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close()
	}
}

// TLSPort returns the bound https/wss port, or 0 when TLS is off or before Start.
func (s *Server) TLSPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tlsPort
}

// Port returns the bound port, or 0 before Start.
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Close stops listening, closes every connection (1001, going away), cancels the
// commands they still run in the engine and waits for their goroutines. It is safe
// to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	servers := s.servers
	s.mu.Unlock()

	var errs []error
	for _, srv := range servers {
		errs = append(errs, srv.Close())
	}
	err := errors.Join(errs...)
	for _, c := range conns { // concurrently: a stuck client may hold its writer for writeWait
		c.cancel() // a command waiting in the engine must not hold its connection open
		s.wg.Go(func() { c.closeWith(websocket.CloseGoingAway, "server closing") })
	}
	s.wg.Wait()
	return err
}

func (s *Server) routes(p *policy) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.handleHealth)
	mux.Handle("GET /ws", s.handleWS(p))
	if s.cfg.Static != nil && p.remote == nil {
		mux.Handle("GET /", http.FileServerFS(s.cfg.Static))
	}
	return guard(p, s.log, mux)
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(api.Health{
		Engine:   api.EngineName,
		Version:  s.cfg.Version,
		Protocol: api.ProtocolVersion,
	})
}

func (s *Server) handleWS(p *policy) http.Handler {
	upgrader := websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// guard has already checked the Origin; this repeats the same policy so the
		// upgrade can never fall back to gorilla's same-host rule.
		CheckOrigin: func(r *http.Request) bool {
			origins, present := r.Header["Origin"]
			if !present {
				return true
			}
			_, _, _, ok := p.originPermission(origins[0])
			return len(origins) == 1 && ok
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := p.identify(r)
		if !ok {
			refuse(w, s.log, r, http.StatusUnauthorized, "no origin and no valid token")
			return
		}
		if id.pair && !s.gate.admit() {
			refuse(w, s.log, r, http.StatusServiceUnavailable, "too many unauthenticated connections")
			return
		}
		// The 101 is written by Upgrade, not through w: hand it guard's headers.
		ws, err := upgrader.Upgrade(w, r, w.Header().Clone())
		if err != nil {
			s.log.Debug("upgrade failed", "err", err)
			if id.pair {
				s.gate.release() // give back the slot admit took
			}
			return // Upgrade has answered the request
		}
		log := s.log.With("conn", s.connIDs.Add(1), "remote", r.RemoteAddr)
		c := newConn(ws, s.backend, s.commands, s.gate, id, log, s.timing)
		if !s.track(c) {
			c.end()
			_ = ws.Close()
			return
		}
		defer s.untrack(c)
		log.Debug("client connected", "origin", id.origin.String(), "permission", id.perm)
		c.serve()
		log.Debug("client gone")
	})
}

// track registers a live connection, unless the server is closing.
func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

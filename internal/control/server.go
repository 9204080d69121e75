// Package control is the loopback front door of the engine: an HTTP server on
// 127.0.0.1 and ::1 that serves /health, the softphone page and the /ws command and
// event WebSocket. It checks Host, Origin and token on every request, runs one read
// and one write pump per connection, decodes commands strictly through a dispatch
// table and sends a snapshot (hello) followed by ordered events. It reaches the
// engine only through Backend and knows nothing of SIP or audio.
package control

import (
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
)

// Server is the control API server. Create it with New, then Start and Close.
type Server struct {
	cfg     Config
	backend Backend
	log     *slog.Logger
	allowed map[string]bool // normalised AllowedOrigins
	table   map[string]command
	timing  timing
	connIDs atomic.Uint64

	mu        sync.Mutex
	started   bool
	closed    bool
	port      int
	listeners []net.Listener
	http      *http.Server
	conns     map[*conn]struct{}
	wg        sync.WaitGroup // Serve loops and live connections
}

// New checks cfg and returns a server that is not yet listening.
func New(cfg Config, backend Backend) (*Server, error) {
	if backend == nil {
		return nil, ErrNoBackend
	}
	allowed, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg:     cfg,
		backend: backend,
		log:     log.With("component", "control"),
		allowed: allowed,
		table:   commandTable(),
		timing:  defaultTiming(),
		conns:   map[*conn]struct{}{},
	}, nil
}

// Start binds 127.0.0.1 and ::1 (the preferred port, else the first free fallback)
// and serves in the background.
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
	if s.cfg.Token == "" {
		s.log.Info("no token configured: clients without an Origin are refused")
	}
	s.started, s.port, s.listeners = true, port, lns
	s.http = &http.Server{
		Handler:           s.routes(newPolicy(port, s.allowed, s.cfg.Token)),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	for _, ln := range lns {
		s.wg.Go(func() {
			if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("serve ended", "addr", ln.Addr().String(), "err", err)
			}
		})
		s.log.Info("control API listening", "addr", ln.Addr().String())
	}
	return nil
}

// Port returns the bound port, or 0 before Start.
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Close stops listening, closes every connection (1001, going away) and waits for
// their goroutines. It is safe to call more than once.
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
	srv := s.http
	s.mu.Unlock()

	var err error
	if srv != nil {
		err = srv.Close()
	}
	for _, c := range conns { // concurrently: a stuck client may hold its writer for writeWait
		s.wg.Go(func() { c.closeWith(websocket.CloseGoingAway, "server closing") })
	}
	s.wg.Wait()
	return err
}

func (s *Server) routes(p *policy) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.handleHealth)
	mux.Handle("GET /ws", requireClient(p, s.log, s.handleWS(p)))
	if s.cfg.Static != nil {
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
			return !present || (len(origins) == 1 && p.originAllowed(origins[0]))
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The 101 is written by Upgrade, not through w: hand it guard's headers.
		ws, err := upgrader.Upgrade(w, r, w.Header().Clone())
		if err != nil {
			s.log.Debug("upgrade failed", "err", err)
			return // Upgrade has answered the request
		}
		log := s.log.With("conn", s.connIDs.Add(1), "remote", r.RemoteAddr)
		c := newConn(ws, s.backend, s.table, log, s.timing)
		if !s.track(c) {
			_ = ws.Close()
			return
		}
		defer s.untrack(c)
		log.Debug("client connected", "origin", r.Header.Get("Origin"))
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

package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/accountstore"
	"github.com/wpservice/wpservice/internal/adminsock"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/control"
	"github.com/wpservice/wpservice/internal/localca"
	"github.com/wpservice/wpservice/internal/pairing"
	"github.com/wpservice/wpservice/internal/phone"
	"github.com/wpservice/wpservice/internal/remote"
	"github.com/wpservice/wpservice/internal/secret"
	"github.com/wpservice/wpservice/internal/sipstack"
	"github.com/wpservice/wpservice/internal/store"
	"github.com/wpservice/wpservice/internal/trust"
	"github.com/wpservice/wpservice/web"
)

func protocolVersion() int { return api.ProtocolVersion }

func runEngineCmd(args []string, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr)
	if err != nil {
		return 2
	}
	cfg, err := loadConfig(f.config)
	if err != nil {
		fmt.Fprintln(stderr, "wpservice:", err)
		return 1
	}
	if f.logLevel != "" {
		cfg.Log.Level = f.logLevel
		if err := cfg.Validate(); err != nil {
			fmt.Fprintln(stderr, "wpservice: --log-level:", err)
			return 2
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		fmt.Fprintln(stderr, "wpservice: log level:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runEngine(ctx, cfg, log); err != nil {
		log.Error("engine stopped", "err", err)
		return 1
	}
	return 0
}

// loadConfig reads path, or config.json in the user config dir when path is empty and
// that file exists, or else the embedded defaults.
func loadConfig(path string) (config.Config, error) {
	if path != "" {
		return config.Load(path)
	}
	if dir, err := config.DefaultDir(); err == nil {
		p := filepath.Join(dir, "config.json")
		if _, err := os.Stat(p); err == nil {
			return config.Load(p)
		}
	}
	return config.Default(), nil
}

// runEngine wires the engine together and runs it until ctx is done.
func runEngine(ctx context.Context, cfg config.Config, baseLog *slog.Logger) error {
	dataDir := cfg.DataDir
	if dataDir == "" {
		d, err := config.DefaultDir()
		if err != nil {
			return err
		}
		dataDir = d
	}
	st, err := store.Open(dataDir)
	if err != nil {
		return err
	}
	token, err := st.Token("token")
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	bus := phone.NewBus()
	log := slog.New(newEventLogHandler(baseLog.Handler(), bus))

	accounts := accountstore.New(st, secret.Open(secret.DefaultService, filepath.Join(dataDir, "secrets.json"), log))
	acc, provisioned := initialAccount(cfg, accounts, log)
	acc = acc.Normalize()
	if err := acc.Validate(); err != nil && acc.Configured() {
		return fmt.Errorf("account: %w", err)
	}
	listenIP := resolveListenIP(cfg.SIP.ListenIP, acc.Server)

	adapter := &phone.SIPAdapter{}
	stack, err := sipstack.New(sipstack.Config{
		ListenIP: listenIP, UDPPort: cfg.SIP.UDPPort, TCPPort: cfg.SIP.TCPPort,
		UserAgent: cfg.SIP.UserAgent + "/" + version,
		Logger:    log,
		OnTrace: func(t sipstack.Trace) {
			bus.Emit(api.EvSIPTrace, api.SIPTrace{Dir: t.Dir, Remote: t.Remote, Message: t.Message})
		},
		OnEvent: adapter.HandleEvent,
	})
	if err != nil {
		return fmt.Errorf("sip: %w", err)
	}
	defer stack.Close()

	aio, err := openLocalAudio(cfg.Audio, log)
	if err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	defer aio.Close()

	var accStore phone.Store = accounts
	if provisioned {
		accStore = nil // the administrator's account is not overwritten by the user's changes
	}
	ph, err := phone.New(phone.Config{
		SIP: adapter, Media: phone.MediaOpener(listenIP, log), Audio: aio, Store: accStore, Bus: bus,
		Account: acc,
		Settings: phone.Settings{
			RTPTimeout:  time.Duration(cfg.Settings.RTPTimeout) * time.Second,
			AutoAnswer:  cfg.Settings.AutoAnswer,
			DTMFDelay:   time.Duration(cfg.Settings.DTMFDelayMS) * time.Millisecond,
			MaxLines:    cfg.Settings.MaxLines,
			AudioInput:  cfg.Audio.Input,
			AudioOutput: cfg.Audio.Output,
		},
		Version: version,
		Logger:  log,
	})
	if err != nil {
		return err
	}
	adapter.Bind(stack, ph, listenIP)
	go aio.watch(ctx, ph.DevicesChanged)

	var pairings *pairing.Store
	if cfg.Control.Pairing {
		if pairings, err = pairing.Open(pairing.Config{Path: filepath.Join(dataDir, "pairings.json")}); err != nil {
			return fmt.Errorf("pairing: %w", err)
		}
	}
	srv, err := control.New(control.Config{
		TLS: serverTLS(dataDir, log), TLSPort: cfg.Control.TLS.Port, TLSFallbackPorts: cfg.Control.TLS.FallbackPorts,
		Port: cfg.Control.Port, FallbackPorts: cfg.Control.FallbackPorts,
		AllowedOrigins: cfg.Control.AllowedOrigins, AdminOrigins: cfg.Control.AdminOrigins,
		ReadOnlyOrigins: cfg.Control.ReadOnlyOrigins, FrameAncestors: cfg.Control.FrameAncestors,
		Pairing: pairings, Notify: bus.Emit,
		Token: token, Static: web.Files, Version: version, Logger: log,
	}, ph)
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("control: %w", err)
	}
	defer srv.Close()
	if err := serveAdminSocket(cfg, srv, log); err != nil {
		return err
	}
	if cfg.Remote.Enabled {
		stopRemote, err := serveRemote(cfg.Remote, dataDir, srv, log)
		if err != nil {
			return fmt.Errorf("remote: %w", err)
		}
		defer stopRemote()
	}
	if p := srv.TLSPort(); p != 0 {
		log.Info("wss listening", "url", fmt.Sprintf("wss://localhost:%d/ws", p))
	}
	log.Info("wpservice ready", "version", version, "control", fmt.Sprintf("http://127.0.0.1:%d/", srv.Port()),
		"sip", stack.UDPAddr(), "data", dataDir, "token_file", filepath.Join(dataDir, "token"))
	return ph.Run(ctx)
}

// initialAccount is the administrator's account from the config file if there is one,
// else the one the user saved (its password from the keeper).
func initialAccount(cfg config.Config, accounts *accountstore.Store, log *slog.Logger) (account.Account, bool) {
	if a := cfg.Account; a != nil {
		return account.FromConfig(*a), true
	}
	acc, err := accounts.Load()
	if err != nil {
		log.Warn("stored account unreadable; starting without one", "err", err)
	}
	return acc, false
}

// resolveListenIP returns the configured SIP address, or for "auto" the local address
// that routes to the server (a UDP connect sends nothing), or 127.0.0.1.
func resolveListenIP(cfg, server string) string {
	if cfg != "auto" {
		return cfg
	}
	if server == "" {
		return "127.0.0.1"
	}
	host := server
	if h, _, err := net.SplitHostPort(server); err == nil {
		host = h
	}
	conn, err := net.Dial("udp", net.JoinHostPort(host, "5060"))
	if err != nil {
		return "127.0.0.1"
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP.String()
}

// serveAdminSocket opens the owner-only socket the CLI uses. Another engine already
// listening there is fatal; a socket that cannot be made (a path too long, an unsafe
// directory) only costs the CLI commands, so it is logged and the engine goes on.
func serveAdminSocket(cfg config.Config, srv *control.Server, log *slog.Logger) error {
	path, err := adminSocketPath(cfg)
	if err != nil {
		log.Warn("no admin socket: wpservice pair will not reach this engine", "err", err)
		return nil
	}
	ln, err := adminsock.Listen(path, log)
	switch {
	case errors.Is(err, adminsock.ErrInUse):
		return fmt.Errorf("another engine is already running for this user (admin socket %s)", path)
	case err != nil:
		log.Warn("no admin socket: wpservice pair will not reach this engine", "path", path, "err", err)
		return nil
	}
	if err := srv.ServeAdmin(ln); err != nil {
		_ = ln.Close()
		return err
	}
	return nil
}

// serverTLS is the wss listener's configuration when `wpservice trust install` has
// made the per-install certificate, else nil (plain ws only).
func serverTLS(dataDir string, log *slog.Logger) *tls.Config {
	leaf, _, err := trust.LoadServerCertificate(dataDir)
	switch {
	case errors.Is(err, trust.ErrNotInstalled):
		log.Debug("no local certificate: wss is off (wpservice trust install turns it on)")
		return nil
	case err != nil:
		log.Warn("local certificate unusable: wss is off; run wpservice trust install again", "err", err)
		return nil
	}
	if localca.NeedsRenewal(leaf.Leaf, time.Now()) {
		log.Warn("the local certificate expires soon; run wpservice trust install again", "expires", leaf.Leaf.NotAfter)
	}
	return &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12}
}

// serveRemote opens the public wss listener of remote mode, with its certificate
// from ACME, and the http-01 challenge listener when configured.
func serveRemote(rc config.Remote, dataDir string, srv *control.Server, log *slog.Logger) (stop func(), err error) {
	cacheDir := rc.CacheDir
	if cacheDir == "" {
		cacheDir = filepath.Join(dataDir, "acme")
	}
	r, err := remote.New(remote.Config{
		Listen: rc.Listen, Hosts: rc.Hosts, CacheDir: cacheDir, Email: rc.Email,
		HTTPChallenge: rc.HTTPChallenge, DirectoryURL: rc.DirectoryURL,
	}, log)
	if err != nil {
		return nil, err
	}
	ln, err := r.Listen()
	if err != nil {
		return nil, err
	}
	if err := srv.ServeRemote(ln, r.Hosts()); err != nil {
		_ = ln.Close()
		return nil, err
	}
	log.Warn("remote mode: the phone is reachable from the network; every client needs a token",
		"listen", ln.Addr().String(), "hosts", r.Hosts())
	if rc.HTTPChallenge == "" {
		return func() {}, nil
	}
	challenge := &http.Server{Handler: r.ChallengeHandler(), ReadHeaderTimeout: 10 * time.Second}
	cln, err := net.Listen("tcp", rc.HTTPChallenge)
	if err != nil {
		return nil, fmt.Errorf("http-01 listener: %w", err)
	}
	go func() { _ = challenge.Serve(cln) }()
	return func() { _ = challenge.Close() }, nil
}

package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/wpservice/wpservice/internal/adminsock"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/control"
	"github.com/wpservice/wpservice/internal/localca"
	"github.com/wpservice/wpservice/internal/remote"
	"github.com/wpservice/wpservice/internal/trust"
)

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
// from ACME. With an http-01 challenge address it also binds that listener and returns
// what serves it until its context is done; otherwise it returns nil.
func serveRemote(rc config.Remote, dataDir string, srv *control.Server, log *slog.Logger) (challenges func(context.Context), err error) {
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
		return nil, nil
	}
	cln, err := net.Listen("tcp", rc.HTTPChallenge)
	if err != nil {
		return nil, fmt.Errorf("http-01 listener: %w", err)
	}
	return func(ctx context.Context) { serveChallenges(ctx, r.ChallengeHandler(), cln, log) }, nil
}

// serveChallenges answers ACME http-01 challenges on ln until ctx is done, and
// returns once the server has stopped.
func serveChallenges(ctx context.Context, h http.Handler, ln net.Listener, log *slog.Logger) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		_ = srv.Close()
		<-served
	case err := <-served:
		log.Warn("http-01 listener stopped; certificates renew through tls-alpn-01 only", "err", err)
	}
}

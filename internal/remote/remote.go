package remote

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// acmeTimeout bounds one HTTP exchange with the ACME CA.
const acmeTimeout = 30 * time.Second

// userAgent identifies the engine to the ACME CA.
const userAgent = "wpservice-remote"

// dialFunc opens the TCP connections of the ACME client. New uses a plain
// net.Dialer; tests inject one that records every address.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Remote is a configured remote listener: an autocert manager restricted to
// the configured hosts, and the TLS settings to serve them with. It is safe
// for concurrent use.
type Remote struct {
	cfg     Config
	hosts   []string
	manager *autocert.Manager
	log     *slog.Logger
}

// New validates cfg, creates its cache directory (0700) when missing and
// builds the autocert manager: HostWhitelist of the configured hosts,
// DirCache, accepted terms of service, the contact e-mail and the ACME
// directory. Nothing is contacted until a client handshakes for a
// configured host whose certificate is not cached.
func New(cfg Config, log *slog.Logger) (*Remote, error) {
	d := &net.Dialer{Timeout: acmeTimeout}
	return newRemote(cfg, log, d.DialContext)
}

// newRemote is New with the ACME client's dialer injected.
func newRemote(cfg Config, log *slog.Logger, dial dialFunc) (*Remote, error) {
	hosts, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if err := prepareCacheDir(cfg.CacheDir); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "remote")
	directory := cfg.DirectoryURL
	if directory == "" {
		directory = autocert.DefaultACMEDirectory
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(hosts...),
		Cache:      autocert.DirCache(cfg.CacheDir),
		Email:      cfg.Email,
		Client: &acme.Client{
			DirectoryURL: directory,
			UserAgent:    userAgent,
			HTTPClient: &http.Client{
				Timeout: acmeTimeout,
				Transport: &http.Transport{
					Proxy:               http.ProxyFromEnvironment,
					DialContext:         dial,
					TLSHandshakeTimeout: acmeTimeout,
					ForceAttemptHTTP2:   true,
				},
			},
		},
	}
	log.Info("remote listener configured", "listen", cfg.Listen, "hosts", hosts,
		"directory", directory, "http01", cfg.HTTPChallenge != "")
	return &Remote{cfg: cfg, hosts: hosts, manager: m, log: log}, nil
}

// prepareCacheDir creates dir owner-only, or checks that an existing one is
// not open to other users (on Windows the ACL is left to the installer).
func prepareCacheDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("remote: create cache directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("remote: cache directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %q is not a directory", ErrCacheDir, dir)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: %q has mode %v, want 0700", ErrCacheDirMode, dir, fi.Mode().Perm())
	}
	return nil
}

// Hosts returns the canonical host names (lower-case, no duplicates) the
// listener serves, for the control layer's Host and Origin checks.
func (r *Remote) Hosts() []string {
	return slices.Clone(r.hosts)
}

// Listen binds Config.Listen and returns a TLS listener that presents a
// certificate only to clients naming a configured host in SNI. Handshakes
// without SNI or for any other name fail. It offers http/1.1 and the
// acme-tls/1 protocol for tls-alpn-01, with TLS 1.2 as the minimum.
func (r *Remote) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", r.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("remote: listen: %w", err)
	}
	r.log.Info("remote listener started", "addr", ln.Addr().String())
	return tls.NewListener(ln, r.tlsConfig()), nil
}

// tlsConfig is the server configuration of the remote listener.
func (r *Remote) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"http/1.1", acme.ALPNProto},
		GetCertificate: r.getCertificate,
	}
}

// getCertificate asks the autocert manager and logs refusals. The SNI is
// client-chosen text: it is logged as a quoted attribute, at debug level,
// because scanners send many.
func (r *Remote) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	cert, err := r.manager.GetCertificate(hello)
	if err != nil {
		r.log.Debug("tls handshake refused", "sni", hello.ServerName,
			"remote", remoteAddr(hello), "err", err)
	}
	return cert, err
}

// remoteAddr is the peer address of hello, if known.
func remoteAddr(hello *tls.ClientHelloInfo) string {
	if hello.Conn == nil {
		return ""
	}
	return hello.Conn.RemoteAddr().String()
}

package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

// handshakeTimeout bounds every handshake in these tests; all of them are
// local and fail fast, so it only matters if something hangs.
const handshakeTimeout = 10 * time.Second

// tlsServer runs r.Listen on loopback and reports the outcome of the
// server side of each accepted handshake.
type tlsServer struct {
	addr    string
	results chan error
}

func startTLSServer(t *testing.T, r *Remote) *tlsServer {
	t.Helper()
	ln, err := r.Listen()
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	s := &tlsServer{addr: ln.Addr().String(), results: make(chan error, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // listener closed
			}
			ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
			err = c.(*tls.Conn).HandshakeContext(ctx)
			cancel()
			_ = c.Close()
			s.results <- err
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
	})
	return s
}

// handshake dials s with cfg and returns the client's and the server's
// results, and the certificate the server presented, if any.
func (s *tlsServer) handshake(t *testing.T, cfg *tls.Config) (clientErr, serverErr error, peer *x509.Certificate) {
	t.Helper()
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: handshakeTimeout}, Config: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	c, clientErr := d.DialContext(ctx, "tcp", s.addr)
	if clientErr == nil {
		state := c.(*tls.Conn).ConnectionState()
		if len(state.PeerCertificates) > 0 {
			peer = state.PeerCertificates[0]
		}
		_ = c.Close()
	}
	select {
	case serverErr = <-s.results:
	case <-time.After(handshakeTimeout):
		t.Fatal("server handshake did not finish")
	}
	return clientErr, serverErr, peer
}

func TestListenServesOnlyConfiguredHosts(t *testing.T) {
	dl := &dialLog{}
	cfg := testConfig(t)
	r := newTestRemote(t, cfg, dl)
	ours := seedCache(t, cfg.CacheDir, allowedHost)
	roots := x509.NewCertPool()
	roots.AddCert(ours)

	tests := []struct {
		name   string
		config *tls.Config
		ok     bool
	}{
		{"allowed name", &tls.Config{ServerName: allowedHost, RootCAs: roots, NextProtos: []string{"http/1.1"}}, true},
		{"allowed name, other case", &tls.Config{ServerName: "PHONE.Example.COM", RootCAs: roots}, true},
		{"other name", &tls.Config{ServerName: otherHost, InsecureSkipVerify: true}, false},
		{"other name under an allowed one", &tls.Config{ServerName: "x." + allowedHost, InsecureSkipVerify: true}, false},
		{"localhost", &tls.Config{ServerName: "localhost", InsecureSkipVerify: true}, false},
		{"no SNI", &tls.Config{InsecureSkipVerify: true}, false},
		{"acme-tls/1 without a pending challenge", &tls.Config{ServerName: allowedHost, InsecureSkipVerify: true, NextProtos: []string{"acme-tls/1"}}, false},
		{"TLS 1.1", &tls.Config{ServerName: allowedHost, RootCAs: roots, MaxVersion: tls.VersionTLS11}, false},
	}
	s := startTLSServer(t, r)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clientErr, serverErr, peer := s.handshake(t, tt.config)
			if !tt.ok {
				if serverErr == nil {
					t.Fatalf("server completed the handshake (presented %v); want refusal", peer.DNSNames)
				}
				if clientErr == nil {
					t.Fatal("client handshake succeeded; want failure")
				}
				return
			}
			if clientErr != nil || serverErr != nil {
				t.Fatalf("handshake failed: client %v, server %v", clientErr, serverErr)
			}
			if peer == nil || !peer.Equal(ours) {
				t.Fatalf("server presented %v, want the seeded certificate", peer)
			}
		})
	}
	if got := dl.dialed(); len(got) != 0 {
		t.Fatalf("ACME client dialed %v while every answer came from the cache or the host policy", got)
	}
}

func TestListenNegotiatesHTTP1(t *testing.T) {
	cfg := testConfig(t)
	r := newTestRemote(t, cfg, &dialLog{})
	seedCache(t, cfg.CacheDir, allowedHost)
	s := startTLSServer(t, r)

	d := tls.Dialer{Config: &tls.Config{ServerName: allowedHost, InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}}}
	c, err := d.DialContext(t.Context(), "tcp", s.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	state := c.(*tls.Conn).ConnectionState()
	_ = c.Close()
	if err := <-s.results; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if state.NegotiatedProtocol != "http/1.1" {
		t.Fatalf("negotiated %q, want http/1.1 (no h2 on the control socket)", state.NegotiatedProtocol)
	}
	if state.Version < tls.VersionTLS12 {
		t.Fatalf("TLS version %x, want at least 1.2", state.Version)
	}
}

// An allowed host without a cached certificate is the only case that
// starts ACME; it must go to the configured directory and nowhere else.
func TestUncachedAllowedHostOnlyReachesConfiguredDirectory(t *testing.T) {
	dl := &dialLog{}
	cfg := testConfig(t)
	r := newTestRemote(t, cfg, dl)
	s := startTLSServer(t, r)

	clientErr, serverErr, _ := s.handshake(t, &tls.Config{ServerName: unseededHost, InsecureSkipVerify: true})
	if clientErr == nil || serverErr == nil {
		t.Fatalf("handshake for an uncertified host succeeded: client %v, server %v", clientErr, serverErr)
	}
	if !errors.Is(serverErr, errDialRefused) {
		t.Fatalf("server error %v does not come from the ACME dial", serverErr)
	}
	got := dl.dialed()
	if len(got) == 0 || slices.ContainsFunc(got, func(a string) bool { return a != "127.0.0.1:1" }) {
		t.Fatalf("ACME client dialed %v, want only the configured directory 127.0.0.1:1", got)
	}
	dl.requireLoopbackOnly(t)
}

func TestListenRefusesBusyAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := testConfig(t)
	cfg.Listen = busy.Addr().String()
	r := newTestRemote(t, cfg, &dialLog{})
	if ln, err := r.Listen(); err == nil {
		_ = ln.Close()
		t.Fatalf("Listen on a busy address %s succeeded", cfg.Listen)
	}
}

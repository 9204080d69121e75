package localca

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestTLSHandshake runs a real TLS server on 127.0.0.1 with the leaf and
// connects to it with different trust pools.
func TestTLSHandshake(t *testing.T) {
	ca, leaf := newCA(t)
	other, _ := newCA(t)
	tests := []struct {
		name       string
		pool       *x509.CertPool
		serverName string
		wantOK     bool
	}{
		{"trusted localhost", ca.CertPool(), "localhost", true},
		{"trusted ip", ca.CertPool(), "127.0.0.1", true},
		{"empty pool", x509.NewCertPool(), "localhost", false},
		{"other install's root", other.CertPool(), "localhost", false},
		{"wrong name", ca.CertPool(), "evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
				Certificates: []tls.Certificate{leaf},
				MinVersion:   tls.VersionTLS12,
			})
			if err != nil {
				t.Fatalf("Listen: %v", err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				if err := conn.(*tls.Conn).Handshake(); err != nil {
					return
				}
				io.WriteString(conn, "ok")
			}()
			defer func() { ln.Close(); <-done }()

			dialer := &net.Dialer{Timeout: 10 * time.Second}
			conn, err := tls.DialWithDialer(dialer, "tcp", ln.Addr().String(), &tls.Config{
				RootCAs:    tt.pool,
				ServerName: tt.serverName,
				Time:       func() time.Time { return testNow },
				MinVersion: tls.VersionTLS12,
			})
			if !tt.wantOK {
				if err == nil {
					conn.Close()
					t.Fatal("handshake succeeded, want failure")
				}
				var unknown x509.UnknownAuthorityError
				var hostname x509.HostnameError
				var verr *tls.CertificateVerificationError
				if !errors.As(err, &verr) || !(errors.As(err, &unknown) || errors.As(err, &hostname)) {
					t.Fatalf("handshake error = %v, want a certificate verification failure", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer conn.Close()
			buf := make([]byte, 2)
			if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ok" {
				t.Fatalf("read = %q, %v", buf, err)
			}
		})
	}
}

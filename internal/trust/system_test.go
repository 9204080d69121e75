package trust

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// debianSandbox is a system store whose every directory is a temporary one:
// the real update-ca-certificates runs with --certsconf, --certsdir,
// --localcertsdir, --etccertsdir and --hooksdir pointing inside it. Like a
// real system it has one distribution root listed in the configuration
// (the script keeps the old bundle when the new one would be empty).
type debianSandbox struct {
	certsDir, etcDir, bundle string
	update                   []string
	distRoot                 *x509.Certificate
}

func newDebianSandbox(t *testing.T) debianSandbox {
	t.Helper()
	requireTool(t, "update-ca-certificates", "ca-certificates")
	root := t.TempDir()
	sb := debianSandbox{
		certsDir: filepath.Join(root, "local"),
		etcDir:   filepath.Join(root, "etc-ssl-certs"),
	}
	sb.bundle = filepath.Join(sb.etcDir, "ca-certificates.crt")
	conf := filepath.Join(root, "ca-certificates.conf")
	for _, d := range []string{sb.certsDir, sb.etcDir, filepath.Join(root, "share"), filepath.Join(root, "hooks")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dist, _, _ := newRoot(t)
	sb.distRoot = dist.Certificate()
	if err := os.WriteFile(filepath.Join(root, "share", "dist-root.crt"), dist.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("dist-root.crt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sb.update = []string{"update-ca-certificates",
		"--certsconf", conf,
		"--certsdir", filepath.Join(root, "share"),
		"--localcertsdir", sb.certsDir,
		"--etccertsdir", sb.etcDir,
		"--hooksdir", filepath.Join(root, "hooks"),
	}
	return sb
}

func (sb debianSandbox) store(admin bool) *SystemStore {
	return &SystemStore{
		CertsDir:   sb.certsDir,
		Bundle:     sb.bundle,
		Update:     sb.update,
		SourceFile: "/data/tls/ca.crt",
		IsAdmin:    func() bool { return admin },
	}
}

// bundlePool builds a pool from the generated bundle, as Go's crypto/x509
// does from the system bundle.
func (sb debianSandbox) bundlePool(t *testing.T) *x509.CertPool {
	t.Helper()
	data, err := os.ReadFile(sb.bundle)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(data)
	return pool
}

func TestSystemStoreRealUpdateCACertificates(t *testing.T) {
	sb := newDebianSandbox(t)
	ca, nick, leaf := newRoot(t)
	s := sb.store(true)

	if err := s.Install(ca.CertPEM(), nick); err != nil {
		t.Fatalf("Install: %v", err)
	}
	file := s.path(nick)
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("root file %s: %v, %v; want mode 0644", file, info, err)
	}
	if !strings.HasPrefix(filepath.Base(file), "wpservice-") || !strings.HasSuffix(file, ".crt") {
		t.Fatalf("root file name %q", file)
	}
	pool := sb.bundlePool(t)
	for _, name := range []string{"127.0.0.1", "localhost", "::1"} {
		if err := verifyWith(pool, leaf.Leaf, name); err != nil {
			t.Fatalf("bundle does not verify the leaf for %s: %v", name, err)
		}
	}
	if err := tlsHandshake(t, leaf, pool, "127.0.0.1"); err != nil {
		t.Fatalf("TLS handshake with the bundle: %v", err)
	}
	if ok, err := s.Contains(nick); !ok || err != nil {
		t.Fatalf("Contains = %v, %v", ok, err)
	}

	if err := s.Uninstall(nick); err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("root file still there: %v", err)
	}
	pool = sb.bundlePool(t)
	if err := verifyWith(pool, leaf.Leaf, "127.0.0.1"); err == nil {
		t.Fatal("bundle still verifies the leaf after Uninstall")
	}
	if err := tlsHandshake(t, leaf, pool, "127.0.0.1"); err == nil {
		t.Fatal("TLS handshake succeeded after Uninstall")
	}
	if ok, err := s.Contains(nick); ok || err != nil {
		t.Fatalf("Contains after uninstall = %v, %v", ok, err)
	}
	if !bundleHas(t, sb.bundle, sb.distRoot) {
		t.Fatal("the distribution root left the bundle")
	}
	if err := s.Uninstall(nick); err != nil {
		t.Fatalf("second Uninstall: %v", err)
	}
}

func bundleHas(t *testing.T, bundle string, cert *x509.Certificate) bool {
	t.Helper()
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	for _, der := range pemCerts(data) {
		if string(der) == string(cert.Raw) {
			return true
		}
	}
	return false
}

func TestSystemStoreWithoutRoot(t *testing.T) {
	sb := newDebianSandbox(t)
	ca, nick, _ := newRoot(t)
	s := sb.store(false)
	err := s.Install(ca.CertPEM(), nick)
	if !errors.Is(err, ErrNeedsAdmin) {
		t.Fatalf("Install = %v, want ErrNeedsAdmin", err)
	}
	want := "run: sudo install -m 0644 /data/tls/ca.crt " + s.path(nick) + " && sudo " + strings.Join(sb.update, " ")
	if Fix(err) != want {
		t.Fatalf("fix = %q\nwant  %q", Fix(err), want)
	}
	if entries, _ := os.ReadDir(sb.certsDir); len(entries) != 0 {
		t.Fatalf("store written without root: %v", entries)
	}

	// A root put there by an administrator can only be removed by one.
	if err := sb.store(true).Install(ca.CertPEM(), nick); err != nil {
		t.Fatal(err)
	}
	err = s.Uninstall(nick)
	if wantFix := "run: sudo rm " + s.path(nick) + " && sudo " + strings.Join(sb.update, " "); !errors.Is(err, ErrNeedsAdmin) || Fix(err) != wantFix {
		t.Fatalf("Uninstall = %v (fix %q), want ErrNeedsAdmin with %q", err, Fix(err), wantFix)
	}
	if ok, err := s.Contains(nick); !ok || err != nil {
		t.Fatalf("Contains as a user = %v, %v; reading needs no root", ok, err)
	}
}

func TestSystemStoreNotDebian(t *testing.T) {
	ca, nick, _ := newRoot(t)
	s := &SystemStore{CertsDir: filepath.Join(t.TempDir(), "absent"), Update: []string{"update-ca-certificates"}, IsAdmin: func() bool { return true }}
	if err := s.Install(ca.CertPEM(), nick); !errors.Is(err, ErrUnavailable) || Fix(err) == "" {
		t.Fatalf("Install = %v, want ErrUnavailable with a fix", err)
	}
	if _, err := s.Contains(nick); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Contains = %v, want ErrUnavailable", err)
	}
}

// TestSystemStoreFileWithoutUpdate: a file copied but never merged into the
// bundle is not trusted yet.
func TestSystemStoreFileWithoutUpdate(t *testing.T) {
	sb := newDebianSandbox(t)
	ca, nick, _ := newRoot(t)
	s := sb.store(true)
	if err := os.WriteFile(s.path(nick), ca.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Contains(nick); ok || err != nil {
		t.Fatalf("Contains = %v, %v; want false until the bundle is regenerated", ok, err)
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/usr/local/share/ca-certificates/wpservice-0a.crt", "/usr/local/share/ca-certificates/wpservice-0a.crt"},
		{"/home/a b/ca.crt", "'/home/a b/ca.crt'"},
		{"it's", `'it'\''s'`},
		{"", "''"},
		{"$(rm -rf x)", "'$(rm -rf x)'"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// tlsHandshake serves leaf on 127.0.0.1:0 and dials it trusting pool.
func tlsHandshake(t *testing.T, leaf tls.Certificate, pool *x509.CertPool, serverName string) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12})
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
		if conn.(*tls.Conn).Handshake() == nil {
			io.WriteString(conn, "ok")
		}
	}()
	defer func() { ln.Close(); <-done }()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", ln.Addr().String(), &tls.Config{
		RootCAs:    pool,
		ServerName: serverName,
		Time:       func() time.Time { return testNow },
		MinVersion: tls.VersionTLS12,
	})
	if err != nil {
		return err
	}
	defer conn.Close()
	buf := make([]byte, 2)
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ok" {
		t.Fatalf("read after handshake = %q, %v", buf, err)
	}
	return nil
}

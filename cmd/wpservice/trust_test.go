package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/localca"
	"github.com/wpservice/wpservice/internal/trust"
)

// requireTools skips when a tool is missing, or fails under CI=true.
func requireTools(t *testing.T, tools map[string]string) {
	t.Helper()
	for tool, pkg := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (Debian package %s); run scripts/deps.sh", tool, pkg)
			}
			t.Skipf("%s not installed; install the Debian package %s (scripts/deps.sh)", tool, pkg)
		}
	}
}

// trustSandbox is a host made of temporary directories: a home with a
// Firefox profile, and a Debian system store run by the real
// update-ca-certificates with every directory redirected.
type trustSandbox struct {
	env      trust.Environment
	dataDir  string
	profile  string
	certsDir string
	bundle   string
}

func newTrustSandbox(t *testing.T, admin bool) trustSandbox {
	t.Helper()
	requireTools(t, map[string]string{"certutil": "libnss3-tools", "update-ca-certificates": "ca-certificates"})
	root := t.TempDir()
	sb := trustSandbox{
		dataDir:  filepath.Join(root, "data"),
		profile:  filepath.Join(root, "home", ".mozilla", "firefox", "abcd.default-release"),
		certsDir: filepath.Join(root, "local-certs"),
		bundle:   filepath.Join(root, "etc-ssl-certs", "ca-certificates.crt"),
	}
	for _, d := range []string{sb.profile, sb.certsDir, filepath.Dir(sb.bundle), filepath.Join(root, "share"), filepath.Join(root, "hooks")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("certutil", "-N", "-d", "sql:"+sb.profile, "--empty-password").CombinedOutput(); err != nil {
		t.Fatalf("create Firefox profile database: %v\n%s", err, out)
	}
	// One distribution root, as on a real system.
	dist, err := localca.Generate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "share", "dist.crt"), dist.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(root, "ca-certificates.conf")
	if err := os.WriteFile(conf, []byte("dist.crt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sb.env = trust.Environment{
		Home:           filepath.Join(root, "home"),
		SystemCertsDir: sb.certsDir,
		SystemBundle:   sb.bundle,
		SystemUpdate: []string{"update-ca-certificates", "--certsconf", conf, "--certsdir", filepath.Join(root, "share"),
			"--localcertsdir", sb.certsDir, "--etccertsdir", filepath.Dir(sb.bundle), "--hooksdir", filepath.Join(root, "hooks")},
		IsAdmin: func() bool { return admin },
		Run:     trust.ExecRunner,
	}
	return sb
}

func (sb trustSandbox) run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runTrust(append(args, "--dir", sb.dataDir), &out, &errOut, sb.env)
	return code, out.String() + errOut.String()
}

func (sb trustSandbox) nssDBs() []string {
	return []string{filepath.Join(sb.env.Home, ".pki", "nssdb"), sb.profile}
}

// ourNSSNicks lists the wpservice roots in an NSS database with the real
// certutil.
func ourNSSNicks(t *testing.T, dir string) []string {
	t.Helper()
	out, err := exec.Command("certutil", "-L", "-d", "sql:"+dir).CombinedOutput()
	if err != nil {
		t.Fatalf("certutil -L %s: %v\n%s", dir, err, out)
	}
	var nicks []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "wpservice local CA ") {
			if !strings.HasSuffix(strings.TrimSpace(line), "C,,") {
				t.Fatalf("root not trusted as a CA: %q", line)
			}
			nicks = append(nicks, strings.Fields(line)[3])
		}
	}
	return nicks
}

func (sb trustSandbox) bundleHasRoot(t *testing.T, root []byte) bool {
	t.Helper()
	data, err := os.ReadFile(sb.bundle)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(data, bytes.TrimSpace(root))
}

func TestTrustCommandEndToEnd(t *testing.T) {
	sb := newTrustSandbox(t, true)
	tlsDir := filepath.Join(sb.dataDir, "tls")

	if code, out := sb.run(t, "status"); code != 1 || !strings.Contains(out, "no local CA installed") {
		t.Fatalf("status before install = %d:\n%s", code, out)
	}

	code, out := sb.run(t, "install")
	if code != 0 {
		t.Fatalf("install = %d:\n%s", code, out)
	}
	for _, want := range []string{"trusted        system store", "trusted        Chromium/Chrome NSS database", "trusted        Firefox profile abcd.default-release", "the CA key was destroyed"} {
		if !strings.Contains(out, want) {
			t.Errorf("install output lacks %q:\n%s", want, out)
		}
	}
	modes := map[string]os.FileMode{localca.CACertFile: 0o644, localca.LeafCertFile: 0o644, localca.LeafKeyFile: 0o600}
	for name, mode := range modes {
		info, err := os.Stat(filepath.Join(tlsDir, name))
		if err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: %v, %v; want mode %v", name, info, err, mode)
		}
	}
	if _, err := os.Stat(filepath.Join(tlsDir, localca.CAKeyFile)); !os.IsNotExist(err) {
		t.Fatalf("CA key file present after install: %v", err)
	}
	firstRoot, err := os.ReadFile(filepath.Join(tlsDir, localca.CACertFile))
	if err != nil {
		t.Fatal(err)
	}
	if !sb.bundleHasRoot(t, firstRoot) {
		t.Fatal("system bundle lacks the root")
	}
	cert, root, err := trust.LoadServerCertificate(sb.dataDir)
	if err != nil {
		t.Fatalf("LoadServerCertificate: %v", err)
	}
	if block, _ := pem.Decode(firstRoot); block == nil || !bytes.Equal(block.Bytes, root.Raw) {
		t.Fatal("engine would serve a leaf of another root")
	}
	bundle, _ := os.ReadFile(sb.bundle)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(bundle)
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Fatalf("system bundle does not verify the served leaf: %v", err)
	}
	for _, db := range sb.nssDBs() {
		if n := ourNSSNicks(t, db); len(n) != 1 {
			t.Fatalf("%s holds %d wpservice roots, want 1", db, len(n))
		}
	}

	code, out = sb.run(t, "status")
	if code != 0 || strings.Count(out, "  trusted ") != 3 || !strings.Contains(out, "valid until") {
		t.Fatalf("status after install = %d:\n%s", code, out)
	}

	// Install again: a new root replaces the old one everywhere.
	if code, out := sb.run(t, "install"); code != 0 || !strings.Contains(out, "replaced wpservice local CA") {
		t.Fatalf("second install = %d:\n%s", code, out)
	}
	secondRoot, _ := os.ReadFile(filepath.Join(tlsDir, localca.CACertFile))
	if bytes.Equal(firstRoot, secondRoot) {
		t.Fatal("second install kept the old root")
	}
	if sb.bundleHasRoot(t, firstRoot) || !sb.bundleHasRoot(t, secondRoot) {
		t.Fatal("system bundle does not hold exactly the new root")
	}
	files, _ := filepath.Glob(filepath.Join(sb.certsDir, "wpservice-*.crt"))
	if len(files) != 1 {
		t.Fatalf("system store holds %v, want one wpservice root", files)
	}
	for _, db := range sb.nssDBs() {
		if n := ourNSSNicks(t, db); len(n) != 1 {
			t.Fatalf("%s holds %v after reinstall, want one root", db, n)
		}
	}

	if code, out := sb.run(t, "uninstall"); code != 0 || strings.Count(out, "  removed ") != 3 {
		t.Fatalf("uninstall = %d:\n%s", code, out)
	}
	if _, err := os.Stat(tlsDir); !os.IsNotExist(err) {
		t.Fatalf("tls dir left: %v", err)
	}
	if sb.bundleHasRoot(t, secondRoot) {
		t.Fatal("system bundle still holds the root")
	}
	if files, _ := filepath.Glob(filepath.Join(sb.certsDir, "*.crt")); len(files) != 0 {
		t.Fatalf("system store still holds %v", files)
	}
	for _, db := range sb.nssDBs() {
		if n := ourNSSNicks(t, db); len(n) != 0 {
			t.Fatalf("%s still holds %v", db, n)
		}
	}
	if code, out := sb.run(t, "status"); code != 1 {
		t.Fatalf("status after uninstall = %d:\n%s", code, out)
	}
	if code, out := sb.run(t, "uninstall"); code != 0 || !strings.Contains(out, "no local CA installed") {
		t.Fatalf("second uninstall = %d:\n%s", code, out)
	}
}

// TestTrustCommandAsUser: without root the system store is left alone and
// the exact commands are printed; the NSS databases are still trusted.
func TestTrustCommandAsUser(t *testing.T) {
	sb := newTrustSandbox(t, false)
	code, out := sb.run(t, "install")
	if code != 0 {
		t.Fatalf("install = %d:\n%s", code, out)
	}
	caFile := filepath.Join(sb.dataDir, "tls", localca.CACertFile)
	wantFix := "fix: run: sudo install -m 0644 " + caFile + " " + sb.certsDir + "/wpservice-"
	if !strings.Contains(out, "failed         system store") || !strings.Contains(out, wantFix) || !strings.Contains(out, "&& sudo update-ca-certificates --certsconf") {
		t.Fatalf("install output lacks the sudo commands %q:\n%s", wantFix, out)
	}
	if files, _ := filepath.Glob(filepath.Join(sb.certsDir, "*")); len(files) != 0 {
		t.Fatalf("system store written without root: %v", files)
	}
	if code, out := sb.run(t, "status"); code != 0 || !strings.Contains(out, "not trusted    system store") ||
		!strings.Contains(out, "fix for the stores that do not trust the CA: run wpservice trust install") {
		t.Fatalf("status = %d:\n%s", code, out)
	}
}

func TestTrustCommandUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: wpservice trust"},
		{[]string{"frobnicate", "--dir", t.TempDir()}, 2, `unknown command "frobnicate"`},
		{[]string{"status", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"status", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"help"}, 0, "uninstall  remove the CA"},
		{[]string{"status", "--dir", t.TempDir()}, 1, "no local CA installed"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			if code := trustCmd(tt.args, &out, &out); code != tt.code || !strings.Contains(out.String(), tt.want) {
				t.Fatalf("trustCmd(%q) = %d, want %d with %q:\n%s", tt.args, code, tt.code, tt.want, out.String())
			}
		})
	}
}

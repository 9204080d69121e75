package trust

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// certutilShow runs the real "certutil -L -n" on a database.
func certutilShow(t *testing.T, dir, nick string) (string, error) {
	t.Helper()
	out, err := exec.Command("certutil", "-L", "-d", "sql:"+dir, "-n", nick).CombinedOutput()
	return string(out), err
}

// colonHex formats a digest as certutil prints it: AB:CD:...
func colonHex(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func TestNSSStoreRealCertutil(t *testing.T) {
	requireTool(t, "certutil", "libnss3-tools")
	ca, nick, _ := newRoot(t)
	dir := filepath.Join(t.TempDir(), "nssdb")
	s := &NSSStore{Label: "test", Dir: dir, Create: true}

	if ok, err := s.Contains(nick); ok || err != nil {
		t.Fatalf("Contains before install = %v, %v; want false, nil", ok, err)
	}
	for i := range 2 { // the second install replaces the first
		if err := s.Install(ca.CertPEM(), nick); err != nil {
			t.Fatalf("Install #%d: %v", i+1, err)
		}
	}
	out, err := certutilShow(t, dir, nick)
	if err != nil {
		t.Fatalf("certutil -L -n: %v\n%s", err, out)
	}
	sum := sha256.Sum256(ca.Certificate().Raw)
	if !strings.Contains(out, colonHex(sum[:])) {
		t.Fatalf("database holds another certificate under %q:\n%s", nick, out)
	}
	if !strings.Contains(out, "Trusted CA") {
		t.Fatalf("root not trusted as a CA:\n%s", out)
	}
	list, err := exec.Command("certutil", "-L", "-d", "sql:"+dir).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	entries := parseNSSList(list)
	if len(entries) != 1 || entries[0].Nick != nick || entries[0].Trust != "C,," {
		t.Fatalf("database entries = %+v, want one %q with C,,\n%s", entries, nick, list)
	}
	if ok, err := s.Contains(nick); !ok || err != nil {
		t.Fatalf("Contains after install = %v, %v", ok, err)
	}

	if err := s.Uninstall(nick); err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	if out, err := certutilShow(t, dir, nick); err == nil {
		t.Fatalf("root still in the database after Uninstall:\n%s", out)
	}
	if ok, err := s.Contains(nick); ok || err != nil {
		t.Fatalf("Contains after uninstall = %v, %v", ok, err)
	}
	if err := s.Uninstall(nick); err != nil {
		t.Fatalf("second Uninstall: %v", err)
	}
}

// TestNSSStoreKeepsOtherCertificates checks that our operations leave a
// certificate we did not add alone.
func TestNSSStoreKeepsOtherCertificates(t *testing.T) {
	requireTool(t, "certutil", "libnss3-tools")
	other, otherNick, _ := newRoot(t)
	ca, nick, _ := newRoot(t)
	dir := filepath.Join(t.TempDir(), "nssdb")
	s := &NSSStore{Label: "test", Dir: dir, Create: true}
	if err := s.Install(other.CertPEM(), otherNick); err != nil {
		t.Fatal(err)
	}
	if err := s.Install(ca.CertPEM(), nick); err != nil {
		t.Fatal(err)
	}
	if err := s.Uninstall(nick); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Contains(otherNick); !ok || err != nil {
		t.Fatalf("other root gone: %v, %v", ok, err)
	}
}

func TestNSSStoreWithoutDatabase(t *testing.T) {
	ca, nick, _ := newRoot(t)
	s := &NSSStore{Label: "Firefox profile x", Dir: t.TempDir()} // no cert9.db, Create false
	if _, err := s.Contains(nick); !errors.Is(err, ErrUnavailable) || Fix(err) == "" {
		t.Fatalf("Contains = %v, want ErrUnavailable with a fix", err)
	}
	if err := s.Install(ca.CertPEM(), nick); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Install = %v, want ErrUnavailable", err)
	}
	if err := s.Uninstall(nick); err != nil {
		t.Fatalf("Uninstall without database = %v, want nil", err)
	}
}

// TestNSSStoreCertutilMissing runs a program name that does not exist, as
// on a machine without libnss3-tools.
func TestNSSStoreCertutilMissing(t *testing.T) {
	ca, nick, _ := newRoot(t)
	missing := func(ctx context.Context, name string, args ...string) ([]byte, error) {
		return ExecRunner(ctx, name+"-not-installed-wpservice-test", args...)
	}
	s := &NSSStore{Label: "test", Dir: filepath.Join(t.TempDir(), "nssdb"), Create: true, Run: missing}
	err := s.Install(ca.CertPEM(), nick)
	if !errors.Is(err, ErrToolMissing) || !strings.Contains(Fix(err), "libnss3-tools") {
		t.Fatalf("Install = %v (fix %q), want ErrToolMissing naming libnss3-tools", err, Fix(err))
	}
}

func TestParseNSSList(t *testing.T) {
	const header = "\nCertificate Nickname                                         Trust Attributes\n" +
		"                                                             SSL,S/MIME,JAR/XPI\n\n"
	tests := []struct {
		name string
		in   string
		want []nssEntry
	}{
		{"empty database", header, nil},
		{"one root", header + "wpservice local CA 0123456789ab                              C,,  \n",
			[]nssEntry{{"wpservice local CA 0123456789ab", "C,,"}}},
		{"several", header + "My Bank                                                      ,,\n" +
			"corp root                                                    CT,C,C\n" +
			"user cert                                                    u,u,u\n",
			[]nssEntry{{"My Bank", ",,"}, {"corp root", "CT,C,C"}, {"user cert", "u,u,u"}}},
		{"crlf and tabs", "a b\tp,p,p\r\n", []nssEntry{{"a b", "p,p,p"}}},
		{"no nickname", "   C,,\n", nil},
		{"bad flags", "name C,1,\nname2 C,,,\nname3 C/,,\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseNSSList([]byte(tt.in))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("parseNSSList = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNSSEntryTrustedCA(t *testing.T) {
	tests := []struct {
		trust string
		want  bool
	}{
		{"C,,", true}, {"CT,,", true}, {"T,,", true}, {",C,", false}, {"p,p,p", false}, {",,", false}, {"c,,", false},
	}
	for _, tt := range tests {
		if got := (nssEntry{"x", tt.trust}).TrustedCA(); got != tt.want {
			t.Errorf("TrustedCA(%q) = %v, want %v", tt.trust, got, tt.want)
		}
	}
}

func FuzzParseNSSList(f *testing.F) {
	f.Add([]byte("\nCertificate Nickname    Trust Attributes\n    SSL,S/MIME,JAR/XPI\n\nwpservice local CA 0123456789ab   C,,  \n"))
	f.Add([]byte("a\tb c,d,e\r\n,,\n x ,,"))
	f.Add([]byte(""))
	f.Add([]byte("\x00 \xff,\xfe,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range parseNSSList(data) {
			if e.Nick == "" || strings.TrimSpace(e.Nick) != e.Nick || strings.ContainsAny(e.Nick, "\n") {
				t.Fatalf("bad nickname %q", e.Nick)
			}
			if !isTrustFlags(e.Trust) {
				t.Fatalf("bad trust flags %q", e.Trust)
			}
			_ = e.TrustedCA()
		}
	})
}

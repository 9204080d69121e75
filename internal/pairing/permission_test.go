package pairing

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// grantOf is the permission Paired reports for origin, "" when it is not paired.
func grantOf(s *Store, origin string) string {
	for _, p := range s.Paired() {
		if p.Origin == origin {
			return p.Permission
		}
	}
	return ""
}

func TestPairingAsksForAccount(t *testing.T) {
	s, _, cfg := openTest(t, nil)
	if _, err := s.RequestFor(crm, "admin"); !errors.Is(err, ErrBadPermission) {
		t.Fatalf("RequestFor admin = %v, want ErrBadPermission", err)
	}
	r, err := s.RequestFor(crm, Account)
	if err != nil || r.Permission != Account || r.Raise {
		t.Fatalf("RequestFor account = %+v, %v", r, err)
	}
	// The same site asking for less while waiting keeps what it asked for.
	if again, _ := s.Request(crm); again.ID != r.ID || again.Permission != Account {
		t.Fatalf("second request = %+v", again)
	}
	tok, err := s.ApproveWith(crm, Account)
	if err != nil || !hex64.MatchString(tok) {
		t.Fatalf("ApproveWith account = %q, %v", tok, err)
	}
	if g := s.Granted(crm); g != Account || grantOf(s, crm) != Account {
		t.Fatalf("Granted = %q, Paired says %q; want account", g, grantOf(s, crm))
	}
	re, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if g := re.Granted(crm); g != Account {
		t.Fatalf("after reopening: Granted = %q, want account", g)
	}
}

func TestUserGrantsLessNeverMore(t *testing.T) {
	s, _, _ := openTest(t, nil)
	if _, err := s.RequestFor(crm, Account); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveWith(crm, Control); err != nil {
		t.Fatalf("ApproveWith control = %v", err)
	}
	if g := s.Granted(crm); g != Control {
		t.Fatalf("Granted = %q, want control", g)
	}
	const other = "https://other.example.com"
	if _, err := s.Request(other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveWith(other, Account); !errors.Is(err, ErrBadPermission) {
		t.Fatalf("granting account to a site that asked for control = %v, want ErrBadPermission", err)
	}
	if g := s.Granted(other); g != "" {
		t.Fatalf("refused approval paired the site: %q", g)
	}
}

func TestPairedSiteAsksForMore(t *testing.T) {
	s, _, _ := openTest(t, nil)
	if _, err := s.RequestMore(crm, Account); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("RequestMore unpaired = %v, want ErrNotPaired", err)
	}
	tok := pair(t, s, crm)
	r, err := s.RequestMore(crm, Account)
	if err != nil || !r.Raise || r.Permission != Account {
		t.Fatalf("RequestMore = %+v, %v", r, err)
	}
	got, err := s.ApproveWith(crm, Account)
	if err != nil || got != "" {
		t.Fatalf("approving more = %q, %v; want no new token", got, err)
	}
	if err := s.Check(crm, tok); err != nil {
		t.Fatalf("the token after approving more: %v", err)
	}
	if g := s.Granted(crm); g != Account {
		t.Fatalf("Granted = %q, want account", g)
	}
	if _, err := s.RequestMore(crm, Account); !errors.Is(err, ErrHasPermission) {
		t.Fatalf("asking again = %v, want ErrHasPermission", err)
	}
	// Revoking removes the permission with the pairing.
	if err := s.Revoke(crm); err != nil {
		t.Fatal(err)
	}
	if g := s.Granted(crm); g != "" {
		t.Fatalf("after revoke: Granted = %q", g)
	}
}

func TestDeniedRaiseKeepsPairing(t *testing.T) {
	s, _, _ := openTest(t, nil)
	tok := pair(t, s, crm)
	if _, err := s.RequestMore(crm, Account); err != nil {
		t.Fatal(err)
	}
	if err := s.Deny(crm); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(crm, tok); err != nil || s.Granted(crm) != Control {
		t.Fatalf("after denying more: Check = %v, Granted = %q", err, s.Granted(crm))
	}
	if _, err := s.RequestMore(crm, Account); !errors.Is(err, ErrCoolingDown) {
		t.Fatalf("asking again at once = %v, want ErrCoolingDown", err)
	}
}

func TestRaiseRevokedWhileWaiting(t *testing.T) {
	s, _, _ := openTest(t, nil)
	pair(t, s, crm)
	if _, err := s.RequestMore(crm, Account); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(crm); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveWith(crm, Account); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("approving more after revoke = %v, want ErrNotPaired", err)
	}
}

func TestVersion1FileMigrates(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pairings.json")
	body := `{"version":1,"pairings":[{"origin":"https://crm.example.com","sha256":"` +
		strings.Repeat("ab", 32) + `","approved":"2026-01-01T00:00:00Z"}]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Config{Path: path})
	if err != nil {
		t.Fatalf("Open version 1: %v", err)
	}
	if g := s.Granted(crm); g != Control {
		t.Fatalf("a version 1 pairing: Granted = %q, want control", g)
	}
	pair(t, s, "https://other.example.com")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version": 2`, `"permission": "control"`} {
		if !strings.Contains(string(data), want) {
			t.Fatalf("rewritten file lacks %s: %s", want, data)
		}
	}
	if strings.Contains(string(data), `"permission": "account"`) {
		t.Fatalf("migration granted account: %s", data)
	}
}

func TestFileWithUnknownPermissionRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, perm := range map[string]string{"admin": `"admin"`, "none": `""`} {
		path := filepath.Join(dir, name+".json")
		body := `{"version":2,"pairings":[{"origin":"https://crm.example.com","sha256":"` +
			strings.Repeat("ab", 32) + `","approved":"2026-01-01T00:00:00Z","permission":` + perm + `}]}`
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Config{Path: path}); !errors.Is(err, ErrCorruptFile) {
			t.Errorf("permission %s: Open = %v, want ErrCorruptFile", perm, err)
		}
	}
}

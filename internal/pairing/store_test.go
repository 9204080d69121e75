package pairing

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

const crm = "https://crm.example.com"

func TestOnePendingPerOrigin(t *testing.T) {
	s, _, _ := openTest(t, nil)
	r1, err := s.Request(crm)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r1.ID) || r1.Origin != crm {
		t.Fatalf("request = %+v", r1)
	}
	r2, err := s.Request("HTTPS://CRM.example.com:443")
	if err != nil || r2 != r1 {
		t.Fatalf("second request = %+v, %v; want %+v", r2, err, r1)
	}
	if p := s.Pending(); len(p) != 1 || p[0] != r1 {
		t.Fatalf("Pending = %+v", p)
	}
}

func TestPendingExpires(t *testing.T) {
	s, clk, _ := openTest(t, nil)
	r1, _ := s.Request(crm)
	clk.Advance(DefaultPendingTTL)
	if p := s.Pending(); len(p) != 0 {
		t.Fatalf("Pending after TTL = %+v", p)
	}
	if _, err := s.Approve(crm); !errors.Is(err, ErrNoPending) {
		t.Fatalf("Approve expired = %v", err)
	}
	r2, err := s.Request(crm)
	if err != nil || r2.ID == r1.ID {
		t.Fatalf("new request = %+v, %v", r2, err)
	}
}

func TestFloodCapped(t *testing.T) {
	origin := func(i int) string { return "https://o" + string(rune('a'+i)) + ".example" }
	tests := []struct {
		name       string
		maxPending int
		rate       int
		// deny each accepted request at once, so only the rate limit can stop the flood
		deny     bool
		accepted int
	}{
		{"MaxPending", 3, 100, false, 3},
		{"RequestRate", 100, 4, true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk, _ := openTest(t, func(c *Config) { c.MaxPending = tt.maxPending; c.RequestRate = tt.rate })
			n := 0
			for i := 0; i < 20; i++ {
				_, err := s.Request(origin(i))
				if errors.Is(err, ErrTooManyRequests) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				if tt.deny {
					_ = s.Deny(origin(i))
				}
			}
			if n != tt.accepted {
				t.Fatalf("accepted %d requests, want %d", n, tt.accepted)
			}
			// Once the pending requests expire and the minute passes, requests flow again.
			clk.Advance(DefaultPendingTTL)
			if _, err := s.Request(origin(21)); err != nil {
				t.Fatalf("after window: %v", err)
			}
		})
	}
}

func TestDenyCooldown(t *testing.T) {
	s, clk, _ := openTest(t, nil)
	if _, err := s.Request(crm); err != nil {
		t.Fatal(err)
	}
	if err := s.Deny(crm); err != nil {
		t.Fatal(err)
	}
	if p := s.Pending(); len(p) != 0 {
		t.Fatalf("Pending after deny = %+v", p)
	}
	steps := []struct {
		advance time.Duration
		want    error
	}{
		{0, ErrCoolingDown},
		{DefaultDenyCooldown - time.Second, ErrCoolingDown},
		{time.Second, nil},
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		if _, err := s.Request(crm); !errors.Is(err, st.want) {
			t.Fatalf("step %d: Request = %v, want %v", i, err, st.want)
		}
	}
	// Other origins are not affected by the denial.
	if _, err := s.Request("https://other.example"); err != nil {
		t.Fatal(err)
	}
}

func TestApproveTokenAndFile(t *testing.T) {
	s, _, cfg := openTest(t, nil)
	if _, err := s.Approve(crm); !errors.Is(err, ErrNoPending) {
		t.Fatalf("Approve without request = %v", err)
	}
	tok := pair(t, s, crm)
	if !hex64.MatchString(tok) {
		t.Fatalf("token %q is not 64 hex", tok)
	}
	// A paired origin whose page lost the token asks again; approving replaces the token.
	again := pair(t, s, crm)
	if again == tok {
		t.Fatal("re-pairing returned the same token")
	}
	if err := s.Check(crm, tok); !errors.Is(err, ErrBadToken) {
		t.Fatalf("old token after re-pairing: Check = %v, want ErrBadToken", err)
	}
	if err := s.Check(crm, again); err != nil {
		t.Fatalf("new token after re-pairing: Check = %v", err)
	}
	tok = again
	data, err := os.ReadFile(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), tok) {
		t.Fatal("pairing file contains the token")
	}
	if !strings.Contains(string(data), crm) {
		t.Fatalf("pairing file lacks the origin: %s", data)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(cfg.Path)
		di, _ := os.Stat(filepath.Dir(cfg.Path))
		if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
			t.Fatalf("modes file %v dir %v", fi.Mode().Perm(), di.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(cfg.Path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	if p := s.Paired(); len(p) != 1 || p[0].Origin != crm || p[0].Approved.IsZero() {
		t.Fatalf("Paired = %+v", p)
	}
}

func TestCheck(t *testing.T) {
	s, _, _ := openTest(t, nil)
	other := "https://other.example"
	tokA := pair(t, s, crm)
	tokB := pair(t, s, other)
	tests := []struct {
		name, origin, token string
		want                error
	}{
		{"right token", crm, tokA, nil},
		{"right token, other spelling", "HTTPS://crm.example.com:443", tokA, nil},
		{"other origin's token", crm, tokB, ErrBadToken},
		{"token presented by other origin", other, tokA, ErrBadToken},
		{"wrong token", crm, strings.Repeat("0", 64), ErrBadToken},
		{"empty token", crm, "", ErrBadToken},
		{"unpaired origin", "https://evil.example", tokA, ErrBadToken},
		{"bad origin", "null", tokA, ErrBadOrigin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Check(tt.origin, tt.token); !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCheckRateLimit(t *testing.T) {
	s, clk, _ := openTest(t, func(c *Config) { c.MaxFailures = 3 })
	tok := pair(t, s, crm)
	other := pair(t, s, "https://other.example")
	for i := 0; i < 3; i++ {
		if err := s.Check(crm, "guess"); !errors.Is(err, ErrBadToken) {
			t.Fatalf("failure %d = %v", i, err)
		}
		clk.Advance(time.Second)
	}
	steps := []struct {
		advance time.Duration
		token   string
		want    error
	}{
		{0, tok, ErrRateLimited}, // locked even with the right token
		{0, "guess", ErrRateLimited},
		{56 * time.Second, tok, ErrRateLimited}, // 59 s after the first failure
		{time.Second, tok, nil},                 // the first failure is a minute old
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		if err := s.Check(crm, st.token); !errors.Is(err, st.want) {
			t.Fatalf("step %d: Check = %v, want %v", i, err, st.want)
		}
	}
	// The lockout is per origin.
	if err := s.Check("https://other.example", other); err != nil {
		t.Fatalf("other origin: %v", err)
	}
}

func TestRevokeAndReopen(t *testing.T) {
	var mu sync.Mutex
	var revoked []string
	s, clk, cfg := openTest(t, func(c *Config) {
		c.OnRevoke = func(o string) { mu.Lock(); revoked = append(revoked, o); mu.Unlock() }
	})
	tokA := pair(t, s, crm)
	tokB := pair(t, s, "http://127.0.0.1:3000")

	if err := s.Revoke("https://never.example"); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("Revoke unpaired = %v", err)
	}
	if err := s.Revoke(crm); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(crm, tokA); !errors.Is(err, ErrBadToken) {
		t.Fatalf("Check after revoke = %v", err)
	}
	mu.Lock()
	if len(revoked) != 1 || revoked[0] != crm {
		t.Fatalf("OnRevoke calls = %v", revoked)
	}
	mu.Unlock()

	s2, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Check(crm, tokA); !errors.Is(err, ErrBadToken) {
		t.Fatalf("revoked origin after reopen = %v", err)
	}
	if err := s2.Check("http://127.0.0.1:3000", tokB); err != nil {
		t.Fatalf("kept origin after reopen = %v", err)
	}
	p := s2.Paired()
	if len(p) != 1 || p[0].Origin != "http://127.0.0.1:3000" || !p[0].Approved.Equal(clk.Now()) {
		t.Fatalf("Paired after reopen = %+v", p)
	}
	// The revoked origin may ask again.
	if _, err := s2.Request(crm); err != nil {
		t.Fatalf("Request after revoke = %v", err)
	}
}

func TestBadOriginsRefused(t *testing.T) {
	s, _, _ := openTest(t, nil)
	for _, o := range []string{"null", "file:///tmp/x.html", "https://crm.example.com/app", "chrome-extension://id"} {
		if _, err := s.Request(o); !errors.Is(err, ErrBadOrigin) {
			t.Errorf("Request(%q) = %v", o, err)
		}
		if _, err := s.Approve(o); !errors.Is(err, ErrBadOrigin) {
			t.Errorf("Approve(%q) = %v", o, err)
		}
		if err := s.Deny(o); !errors.Is(err, ErrBadOrigin) {
			t.Errorf("Deny(%q) = %v", o, err)
		}
		if err := s.Revoke(o); !errors.Is(err, ErrBadOrigin) {
			t.Errorf("Revoke(%q) = %v", o, err)
		}
	}
	if p := s.Pending(); len(p) != 0 {
		t.Fatalf("Pending = %+v", p)
	}
}

// The store keys everything by the canonical origin: a request made under one
// spelling is approved, checked and revoked under any other.
func TestSpellingsOfOneOriginShareOnePairing(t *testing.T) {
	s, _, _ := openTest(t, nil)
	if _, err := s.Request("http://[0:0:0:0:0:0:0:1]:8080"); err != nil {
		t.Fatal(err)
	}
	if p := s.Pending(); len(p) != 1 || p[0].Origin != "http://[::1]:8080" {
		t.Fatalf("Pending = %+v", p)
	}
	tok, err := s.Approve("HTTP://[::1]:8080")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check("http://[0::1]:8080", tok); err != nil {
		t.Fatalf("Check under another spelling = %v", err)
	}
	if err := s.Revoke("http://[0:0:0:0:0:0:0:1]:8080"); err != nil {
		t.Fatalf("Revoke under another spelling = %v", err)
	}
	if p := s.Paired(); len(p) != 0 {
		t.Fatalf("Paired after revoke = %+v", p)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(open, 0o755)
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(p, mode)
		return p
	}
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no path", Config{}, ErrConfig},
		{"negative", Config{Path: filepath.Join(dir, "x.json"), MaxPending: -1}, ErrConfig},
		{"garbage", Config{Path: write("g.json", "{", 0o600)}, ErrCorruptFile},
		{"bad hash", Config{Path: write("h.json", `{"version":1,"pairings":[{"origin":"https://a.example","sha256":"zz"}]}`, 0o600)}, ErrCorruptFile},
		{"bad origin", Config{Path: write("o.json", `{"version":1,"pairings":[{"origin":"null","sha256":"`+strings.Repeat("0", 64)+`"}]}`, 0o600)}, ErrCorruptFile},
	}
	if runtime.GOOS != "windows" {
		tests = append(tests, struct {
			name string
			cfg  Config
			want error
		}{"world readable", Config{Path: write("w.json", `{"version":1,"pairings":[]}`, 0o644)}, ErrInsecureFile})
		tests = append(tests, struct {
			name string
			cfg  Config
			want error
		}{"open directory", Config{Path: filepath.Join(open, "p.json")}, ErrInsecureFile})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Open(tt.cfg); !errors.Is(err, tt.want) {
				t.Fatalf("Open = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	s, _, _ := openTest(t, func(c *Config) { c.MaxPending = 100; c.RequestRate = 100 })
	tok := pair(t, s, crm)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := "https://w" + string(rune('a'+i)) + ".example"
			_, _ = s.Request(o)
			_ = s.Pending()
			_, _ = s.Approve(o)
			_ = s.Check(crm, tok)
			_ = s.Paired()
			_ = s.Revoke(o)
		}()
	}
	wg.Wait()
	if err := s.Check(crm, tok); err != nil {
		t.Fatal(err)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("https://crm.example.com", "")
	f.Add("https://crm.example.com", strings.Repeat("a", 64))
	f.Add("https://other.example", "token")
	f.Add("null", "x")
	clk := newClock()
	s, err := Open(Config{Path: filepath.Join(f.TempDir(), "state", "p.json"), Now: clk.Now, MaxFailures: 1 << 30})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.Request(crm); err != nil {
		f.Fatal(err)
	}
	tok, err := s.Approve(crm)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, origin, token string) {
		err := s.Check(origin, token)
		norm, nerr := canonical(origin)
		switch {
		case nerr != nil:
			if !errors.Is(err, ErrBadOrigin) {
				t.Fatalf("bad origin %q: %v", origin, err)
			}
		case norm == crm && token == tok:
			if err != nil {
				t.Fatalf("right token refused: %v", err)
			}
		case err == nil:
			t.Fatalf("Check(%q, %q) accepted", origin, token)
		}
	})
}

// A pairing file of an older release may hold http(s) origins today's parser refuses
// (it took http://127.1 and hex hosts that no browser sends) and origins spelled
// otherwise than their canonical form. The store still opens: the refused ones are
// left out and logged, the others are filed under their canonical form, and the
// next save writes only those.
func TestOlderFileWithOriginsNowRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pairings.json")
	hash := strings.Repeat("ab", 32)
	body := `{"version":1,"pairings":[
		{"origin":"http://127.1:8080","sha256":"` + hash + `","approved":"2026-01-01T00:00:00Z"},
		{"origin":"https://xn--zz.example","sha256":"` + hash + `","approved":"2026-01-01T00:00:00Z"},
		{"origin":"http://[0:0:0:0:0:0:0:1]:8080","sha256":"` + hash + `","approved":"2026-01-02T00:00:00Z"},
		{"origin":"https://CRM.example.com:443","sha256":"` + hash + `","approved":"2026-01-03T00:00:00Z"}]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	s, err := Open(Config{Path: path, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var got []string
	for _, p := range s.Paired() {
		got = append(got, p.Origin)
	}
	if want := []string{"http://[::1]:8080", "https://crm.example.com"}; !slices.Equal(got, want) {
		t.Fatalf("paired %v, want %v", got, want)
	}
	for _, o := range []string{"http://127.1:8080", "https://xn--zz.example"} {
		if !strings.Contains(logged.String(), o) {
			t.Errorf("the dropped %s is not in the log: %s", o, logged.String())
		}
	}
}

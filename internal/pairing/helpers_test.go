package pairing

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a Store in a fresh directory; mod adjusts the Config first.
func openTest(t *testing.T, mod func(*Config)) (*Store, *fakeClock, Config) {
	t.Helper()
	clk := newClock()
	cfg := Config{Path: filepath.Join(t.TempDir(), "state", "pairings.json"), Now: clk.Now}
	if mod != nil {
		mod(&cfg)
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, clk, cfg
}

// pair requests and approves origin, returning its token.
func pair(t *testing.T, s *Store, origin string) string {
	t.Helper()
	if _, err := s.Request(origin); err != nil {
		t.Fatalf("Request(%q): %v", origin, err)
	}
	tok, err := s.Approve(origin)
	if err != nil {
		t.Fatalf("Approve(%q): %v", origin, err)
	}
	return tok
}

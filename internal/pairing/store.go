// Package pairing decides which web origins may drive the phone when the administrator has
// not provisioned them: an unknown origin asks once, the user approves or denies, and an
// approved origin receives a random token bound to it. Only the SHA-256 of each token is
// kept, in an owner-only JSON file. The package is pure logic and persistence; the control
// server and the command line call it.
package pairing

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults applied to zero Config fields.
const (
	DefaultPendingTTL   = 2 * time.Minute
	DefaultDenyCooldown = 10 * time.Minute
	DefaultMaxPending   = 5
	DefaultRequestRate  = 10
	DefaultMaxFailures  = 5
)

// window is the span over which RequestRate and MaxFailures are counted.
const window = time.Minute

// maxFailureOrigins bounds the failure table; beyond it stale entries are swept.
const maxFailureOrigins = 256

// Config configures a Store. Zero durations and counts take the defaults above.
type Config struct {
	// Path is the owner-only JSON file (0600, directory 0700) holding token hashes. Required.
	Path string
	// Logger reports pairings the file holds for origins that are not valid (nil: none).
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PendingTTL is how long a request waits for the user's answer.
	PendingTTL time.Duration
	// DenyCooldown is how long a denied origin may not ask again.
	DenyCooldown time.Duration
	// MaxPending caps the pending requests of all origins together.
	MaxPending int
	// RequestRate caps new requests per minute, all origins together.
	RequestRate int
	// MaxFailures is the number of failed token checks per origin per minute after which
	// Check refuses that origin, even with the right token, until the minute has passed.
	MaxFailures int
	// OnRevoke, if set, is called after an origin's pairing is removed, outside the
	// Store's lock, so the server can close that origin's live connections.
	OnRevoke func(origin string)
}

// Request is a pending pairing request awaiting the user's decision.
type Request struct {
	ID         string    // 128-bit random, hex
	Origin     string    // normalised origin
	Created    time.Time // when the request was made
	Permission string    // what the site asks for: Control or Account
	// Raise marks a paired site asking for more (RequestMore): approving it changes the
	// pairing's permission and keeps its token.
	Raise bool
}

// Pairing describes a paired origin. It never carries the token or its hash.
type Pairing struct {
	Origin     string
	Approved   time.Time
	Permission string // Control or Account
}

// Store holds pending requests, denials and pairings. All methods are safe for concurrent use.
type Store struct {
	cfg Config

	mu       sync.Mutex
	paired   map[string]pairing
	pending  map[string]Request
	denied   map[string]time.Time   // origin -> end of cool-down
	created  []time.Time            // creation times of recent requests (RequestRate)
	failures map[string][]time.Time // origin -> recent failed checks (MaxFailures)
}

// Open validates cfg, creates the file's directory if needed and loads existing pairings.
func Open(cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("%w: Path is required", ErrConfig)
	}
	if cfg.PendingTTL < 0 || cfg.DenyCooldown < 0 || cfg.MaxPending < 0 ||
		cfg.RequestRate < 0 || cfg.MaxFailures < 0 {
		return nil, fmt.Errorf("%w: negative limit", ErrConfig)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PendingTTL == 0 {
		cfg.PendingTTL = DefaultPendingTTL
	}
	if cfg.DenyCooldown == 0 {
		cfg.DenyCooldown = DefaultDenyCooldown
	}
	if cfg.MaxPending == 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.RequestRate == 0 {
		cfg.RequestRate = DefaultRequestRate
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if err := prepareDir(cfg.Path); err != nil {
		return nil, err
	}
	paired, dropped, err := load(cfg.Path)
	if err != nil {
		return nil, err
	}
	if len(dropped) > 0 && cfg.Logger != nil {
		cfg.Logger.Warn("pairings dropped: their origins are not valid web origins; those sites must ask again",
			"origins", dropped)
	}
	return &Store{
		cfg:      cfg,
		paired:   paired,
		pending:  make(map[string]Request),
		denied:   make(map[string]time.Time),
		failures: make(map[string][]time.Time),
	}, nil
}

// Request records a pairing request for origin asking for Control, or returns the one
// already pending for it. See RequestFor.
func (s *Store) Request(origin string) (Request, error) { return s.RequestFor(origin, Control) }

// RequestFor records a pairing request for origin asking for perm (Control or Account;
// "" is Control), or returns the one already pending for it, which then asks for the
// more of the two. A paired origin may ask again (its page lost the token); approving
// that request replaces the old token. It fails with ErrBadOrigin, ErrBadPermission,
// ErrCoolingDown (after a recent denial) or ErrTooManyRequests (MaxPending or
// RequestRate reached).
func (s *Store) RequestFor(origin, perm string) (Request, error) {
	return s.request(origin, perm, false)
}

// RequestMore records the request of a paired origin for more permission (Account),
// which the user answers as a pairing request; approving it keeps the origin's token.
// Besides RequestFor's errors it fails with ErrNotPaired, or ErrHasPermission when the
// pairing already holds perm.
func (s *Store) RequestMore(origin, perm string) (Request, error) {
	return s.request(origin, perm, true)
}

func (s *Store) request(origin, perm string, raise bool) (Request, error) {
	o, err := canonical(origin)
	if err != nil {
		return Request{}, err
	}
	if perm, err = checkPerm(perm); err != nil {
		return Request{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	s.sweep(now)
	if raise {
		p, ok := s.paired[o]
		if !ok {
			return Request{}, ErrNotPaired
		}
		if rank(p.perm) >= rank(perm) {
			return Request{}, ErrHasPermission
		}
	}
	if r, ok := s.pending[o]; ok {
		if rank(perm) > rank(r.Permission) {
			r.Permission = perm
		}
		r.Raise = r.Raise && raise // a request for a new token stays one
		s.pending[o] = r
		return r, nil
	}
	if _, ok := s.denied[o]; ok {
		return Request{}, ErrCoolingDown
	}
	if len(s.pending) >= s.cfg.MaxPending || len(s.created) >= s.cfg.RequestRate {
		return Request{}, ErrTooManyRequests
	}
	id, err := randomHex(16)
	if err != nil {
		return Request{}, err
	}
	r := Request{ID: id, Origin: o, Created: now, Permission: perm, Raise: raise}
	s.pending[o] = r
	s.created = append(s.created, now)
	return r, nil
}

// Expires returns when request r lapses unanswered.
func (s *Store) Expires(r Request) time.Time { return r.Created.Add(s.cfg.PendingTTL) }

// Pending returns the live pending requests, oldest first.
func (s *Store) Pending() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(s.cfg.Now())
	out := make([]Request, 0, len(s.pending))
	for _, r := range s.pending {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Request) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Origin, b.Origin)
	})
	return out
}

// Approve answers the origin's live pending request granting Control. See ApproveWith.
func (s *Store) Approve(origin string) (string, error) { return s.ApproveWith(origin, Control) }

// ApproveWith answers the origin's live pending request granting perm ("" is Control),
// which may be less than the site asked for, never more (ErrBadPermission). A request
// for pairing pairs the origin and returns its token: 256 random bits in hex. Only the
// token's SHA-256 is kept and written to Path; the token is returned once and cannot be
// recovered. A request for more permission (RequestMore) sets the pairing's permission,
// keeps its token and returns "". If the file cannot be written nothing changes and the
// request stays pending.
func (s *Store) ApproveWith(origin, perm string) (string, error) {
	o, err := canonical(origin)
	if err != nil {
		return "", err
	}
	if perm, err = checkPerm(perm); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	s.sweep(now)
	r, ok := s.pending[o]
	if !ok {
		return "", ErrNoPending
	}
	if rank(perm) > rank(r.Permission) {
		return "", fmt.Errorf("%w: %s asked for %s", ErrBadPermission, o, r.Permission)
	}
	var token string
	p, paired := s.paired[o]
	switch {
	case r.Raise && !paired:
		return "", ErrNotPaired // revoked while the request waited
	case r.Raise:
		p.perm = perm
	default:
		if token, err = randomHex(32); err != nil {
			return "", err
		}
		p = pairing{hash: sha256.Sum256([]byte(token)), approved: now, perm: perm}
	}
	next := make(map[string]pairing, len(s.paired)+1)
	for k, v := range s.paired {
		next[k] = v
	}
	next[o] = p
	if err := save(s.cfg.Path, next); err != nil {
		return "", fmt.Errorf("pairing: saving pairings: %w", err)
	}
	s.paired = next
	delete(s.pending, o)
	delete(s.failures, o)
	return token, nil
}

// Deny drops the origin's pending request, if any, and starts its cool-down. The cool-down
// starts even if the request had already expired, so a late "Deny" still counts.
func (s *Store) Deny(origin string) error {
	o, err := canonical(origin)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	delete(s.pending, o)
	s.denied[o] = now.Add(s.cfg.DenyCooldown)
	return nil
}

// Revoke removes the origin's pairing, persists the change and calls Config.OnRevoke.
// The pairing is removed in memory even if writing the file fails; the error is returned.
func (s *Store) Revoke(origin string) error {
	o, err := canonical(origin)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if _, ok := s.paired[o]; !ok {
		s.mu.Unlock()
		return ErrNotPaired
	}
	delete(s.paired, o)
	saveErr := save(s.cfg.Path, s.paired)
	s.mu.Unlock()
	if s.cfg.OnRevoke != nil {
		s.cfg.OnRevoke(o)
	}
	if saveErr != nil {
		return fmt.Errorf("pairing: saving pairings: %w", saveErr)
	}
	return nil
}

// Check returns nil only if token was issued to origin. Another origin's token, a wrong token
// or an unpaired origin give ErrBadToken. After MaxFailures failures for the origin within a
// minute, Check returns ErrRateLimited, even for the right token, until the oldest of those
// failures is a minute old; refused checks are not counted as further failures.
func (s *Store) Check(origin, token string) error {
	o, err := canonical(origin)
	if err != nil {
		return err
	}
	got := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	recent := pruneTimes(s.failures[o], now.Add(-window))
	if len(recent) >= s.cfg.MaxFailures {
		s.failures[o] = recent
		return ErrRateLimited
	}
	p, ok := s.paired[o]
	want := p.hash // zero hash when unpaired: compared anyway, always fails
	if subtle.ConstantTimeCompare(got[:], want[:]) == 1 && ok {
		if len(recent) == 0 {
			delete(s.failures, o)
		} else {
			s.failures[o] = recent
		}
		return nil
	}
	if len(s.failures) >= maxFailureOrigins {
		s.sweepFailures(now)
	}
	s.failures[o] = append(recent, now)
	return ErrBadToken
}

// Paired returns the paired origins, sorted, with their approval times.
func (s *Store) Paired() []Pairing {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Pairing, 0, len(s.paired))
	for _, o := range sortedKeys(s.paired) {
		p := s.paired[o]
		out = append(out, Pairing{Origin: o, Approved: p.approved, Permission: p.perm})
	}
	return out
}

// Granted returns the permission of origin's pairing, or "" when it is not paired.
func (s *Store) Granted(origin string) string {
	o, err := canonical(origin)
	if err != nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paired[o].perm
}

// sweep drops expired requests, cool-downs and rate samples. Caller holds s.mu.
func (s *Store) sweep(now time.Time) {
	for o, r := range s.pending {
		if !now.Before(r.Created.Add(s.cfg.PendingTTL)) {
			delete(s.pending, o)
		}
	}
	for o, until := range s.denied {
		if !now.Before(until) {
			delete(s.denied, o)
		}
	}
	s.created = pruneTimes(s.created, now.Add(-window))
}

// sweepFailures drops origins with no failure in the last minute. Caller holds s.mu.
func (s *Store) sweepFailures(now time.Time) {
	cutoff := now.Add(-window)
	for o, ts := range s.failures {
		if len(pruneTimes(ts, cutoff)) == 0 {
			delete(s.failures, o)
		}
	}
}

// pruneTimes returns the suffix of ts (ascending) strictly after cutoff.
func pruneTimes(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	if i == len(ts) {
		return nil
	}
	return ts[i:]
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", errors.Join(errors.New("pairing: random source failed"), err)
	}
	return hex.EncodeToString(b), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/wpservice/wpservice/internal/localca"
)

// State is where a store stands with our root.
type State int

const (
	// Trusted: the store trusts the root (after Install or in Status).
	Trusted State = iota + 1
	// NotTrusted: the store does not hold the root (after Uninstall or in
	// Status).
	NotTrusted
	// Unavailable: the store or its tool does not exist here.
	Unavailable
	// Failed: the operation failed; the error says why.
	Failed
)

func (s State) String() string {
	switch s {
	case Trusted:
		return "trusted"
	case NotTrusted:
		return "not trusted"
	case Unavailable:
		return "not available"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Outcome is one store's result.
type Outcome struct {
	Store string
	State State
	Err   error // nil unless State is Unavailable or Failed; see Fix
}

// Report describes the installed root and what each store did or holds.
type Report struct {
	Nickname    string
	Fingerprint string // SHA-256 of the root, lowercase hex
	Root        *x509.Certificate
	Leaf        *x509.Certificate // nil when the leaf could not be loaded
	// Replaced is the nickname of the previous root that Install removed,
	// and Stale what each store did with it.
	Replaced string
	Stale    []Outcome
	Stores   []Outcome
}

// Trusted reports whether at least one store trusts the root.
func (r Report) Trusted() bool {
	for _, o := range r.Stores {
		if o.State == Trusted {
			return true
		}
	}
	return false
}

// Manager installs, removes and inspects the local CA of one tls directory
// across a set of stores.
type Manager struct {
	Dir    string           // tls directory (TLSDir of the data directory)
	Stores []Store          // usually DefaultStores
	Now    func() time.Time // nil means time.Now
	Log    *slog.Logger     // nil means discard
}

func (m *Manager) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

func (m *Manager) log() *slog.Logger {
	if m.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Log.With("component", "trust")
}

// Install creates a fresh root and leaf, saves them in Dir without the CA
// key (destroyed right after signing, before anything reaches the disk),
// removes the previous root from every store and trusts the new one in
// each. Store failures are reported in the Report, not as an error; the
// error is for failures to create or save the CA.
func (m *Manager) Install() (Report, error) {
	now := m.now()
	ca, err := localca.Generate(now)
	if err != nil {
		return Report{}, err
	}
	leaf, err := ca.IssueLeaf(now)
	if err != nil {
		return Report{}, err
	}
	if err := ca.DestroyKey(m.Dir); err != nil {
		return Report{}, err
	}
	nick, err := Nickname(ca.Certificate())
	if err != nil {
		return Report{}, err
	}
	rep := Report{Nickname: nick, Fingerprint: ca.Fingerprint(), Root: ca.Certificate(), Leaf: leaf.Leaf}

	if old, err := readRoot(m.Dir); err == nil {
		if oldNick, err := Nickname(old); err == nil {
			rep.Replaced = oldNick
			rep.Stale = m.each(func(s Store) (State, error) { return NotTrusted, s.Uninstall(oldNick) })
		}
	}
	if err := ca.Save(m.Dir, leaf); err != nil {
		return rep, err
	}
	pem := ca.CertPEM()
	rep.Stores = m.each(func(s Store) (State, error) { return Trusted, s.Install(pem, nick) })
	m.log().Info("local CA installed", "nickname", nick, "fingerprint", rep.Fingerprint, "trusted", rep.Trusted())
	return rep, nil
}

// Uninstall removes the root saved in Dir from every store and, when every
// store succeeded, deletes Dir. When a store fails (for example the system
// store without root), Dir is kept so that the root stays identifiable for
// another attempt. It returns ErrNotInstalled when Dir holds no root.
func (m *Manager) Uninstall() (Report, error) {
	root, err := readRoot(m.Dir)
	if err != nil {
		return Report{}, err
	}
	nick, err := Nickname(root)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Nickname: nick, Fingerprint: fingerprint(root), Root: root}
	rep.Stores = m.each(func(s Store) (State, error) { return NotTrusted, s.Uninstall(nick) })
	for _, o := range rep.Stores {
		if o.State == Failed {
			return rep, nil
		}
	}
	if err := os.RemoveAll(m.Dir); err != nil {
		return rep, fmt.Errorf("trust: %w", err)
	}
	m.log().Info("local CA removed", "nickname", nick)
	return rep, nil
}

// Status loads the saved root and leaf and asks each store whether it
// trusts the root. It returns ErrNotInstalled when Dir holds no root.
func (m *Manager) Status() (Report, error) {
	root, err := readRoot(m.Dir)
	if err != nil {
		return Report{}, err
	}
	nick, err := Nickname(root)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Nickname: nick, Fingerprint: fingerprint(root), Root: root}
	if _, leaf, err := localca.Load(m.Dir); err == nil {
		rep.Leaf = leaf.Leaf
	} else {
		m.log().Warn("local CA leaf unusable", "err", err)
	}
	rep.Stores = m.each(func(s Store) (State, error) {
		ok, err := s.Contains(nick)
		if ok {
			return Trusted, err
		}
		return NotTrusted, err
	})
	return rep, nil
}

// each applies op to every store and classifies the result.
func (m *Manager) each(op func(Store) (State, error)) []Outcome {
	out := make([]Outcome, 0, len(m.Stores))
	for _, s := range m.Stores {
		state, err := op(s)
		switch {
		case errors.Is(err, ErrUnavailable) || errors.Is(err, ErrToolMissing):
			state = Unavailable
		case err != nil:
			state = Failed
			m.log().Warn("trust store failed", "store", s.Name(), "err", err)
		}
		out = append(out, Outcome{Store: s.Name(), State: state, Err: err})
	}
	return out
}

// fingerprint is the SHA-256 of the certificate DER in lowercase hex, the
// same value as localca's CA.Fingerprint.
func fingerprint(root *x509.Certificate) string {
	sum := sha256.Sum256(root.Raw)
	return hex.EncodeToString(sum[:])
}

package trust

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// nssFix is what to do when certutil is missing.
const nssFix = "install certutil: sudo apt-get install libnss3-tools (Fedora: sudo dnf install nss-tools)"

// NSSStore is an NSS certificate database in the SQL format (cert9.db), as
// used by Chromium and Chrome on Linux ($HOME/.pki/nssdb), by snap Chromium
// and by each Firefox profile. It runs certutil from libnss3-tools.
type NSSStore struct {
	// Label names the database for people, e.g. "Firefox profile abc.default".
	Label string
	// Dir is the directory that holds cert9.db.
	Dir string
	// Create makes Install create an empty database (no password) when Dir
	// holds none, as Chromium would on first start. Firefox profiles are
	// never created.
	Create bool
	// Run runs certutil; nil means ExecRunner.
	Run Runner
}

// Name implements Store.
func (s *NSSStore) Name() string { return s.Label + " (" + s.Dir + ")" }

func (s *NSSStore) db() string { return "sql:" + s.Dir }

func (s *NSSStore) exists() bool {
	_, err := os.Stat(filepath.Join(s.Dir, "cert9.db"))
	return err == nil
}

// Install implements Store: certutil -A with trust "C,," (a CA trusted to
// issue TLS server certificates, nothing else).
func (s *NSSStore) Install(pem []byte, nick string) error {
	if !s.exists() {
		if !s.Create {
			return s.unavailable()
		}
		if err := s.create(); err != nil {
			return err
		}
	}
	if err := s.Uninstall(nick); err != nil {
		return err
	}
	return withTempPEM(pem, func(path string) error {
		_, err := s.certutil("-A", "-d", s.db(), "-t", "C,,", "-n", nick, "-i", path)
		return err
	})
}

// create makes an empty, password-less database in Dir.
func (s *NSSStore) create() error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("trust: create NSS database: %w", err)
	}
	_, err := s.certutil("-N", "-d", s.db(), "--empty-password")
	return err
}

// Uninstall implements Store. NSS allows several certificates under one
// nickname, so it deletes until none is left.
func (s *NSSStore) Uninstall(nick string) error {
	if !s.exists() {
		return nil
	}
	entries, err := s.list()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Nick != nick {
			continue
		}
		if _, err := s.certutil("-D", "-d", s.db(), "-n", nick); err != nil {
			return err
		}
	}
	return nil
}

// Contains implements Store: the root is listed and trusted for TLS.
func (s *NSSStore) Contains(nick string) (bool, error) {
	if !s.exists() {
		if s.Create {
			return false, nil
		}
		return false, s.unavailable()
	}
	entries, err := s.list()
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if e.Nick == nick && e.TrustedCA() {
			return true, nil
		}
	}
	return false, nil
}

func (s *NSSStore) list() ([]nssEntry, error) {
	out, err := s.certutil("-L", "-d", s.db())
	if err != nil {
		return nil, err
	}
	return parseNSSList(out), nil
}

func (s *NSSStore) certutil(args ...string) ([]byte, error) {
	out, err := run(s.Run, "certutil", args...)
	return out, toolMissing(err, nssFix)
}

func (s *NSSStore) unavailable() error {
	return &FixError{Err: ErrUnavailable, Fix: "no NSS database in " + s.Dir + "; start the browser once, then run wpservice trust install"}
}

// nssEntry is one line of "certutil -L": a nickname and its trust flags
// ("SSL,S/MIME,JAR/XPI", e.g. "C,,").
type nssEntry struct {
	Nick  string
	Trust string
}

// TrustedCA reports whether the SSL trust field makes the certificate a
// trusted issuer of TLS server certificates.
func (e nssEntry) TrustedCA() bool {
	ssl, _, _ := strings.Cut(e.Trust, ",")
	return strings.ContainsAny(ssl, "CT")
}

// parseNSSList parses the table "certutil -L" prints: a header, then one
// line per certificate with the nickname (which may hold spaces), padding
// and the trust flags as the last field. Lines that do not end in three
// comma-separated flag groups are skipped.
func parseNSSList(out []byte) []nssEntry {
	var entries []nssEntry
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimRight(line, " \t\r")
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			continue
		}
		nick, trust := strings.TrimSpace(line[:i]), line[i+1:]
		if nick == "" || !isTrustFlags(trust) {
			continue
		}
		entries = append(entries, nssEntry{Nick: nick, Trust: trust})
	}
	return entries
}

// isTrustFlags reports whether s looks like "CT,c,p": three groups of
// letters separated by commas.
func isTrustFlags(s string) bool {
	groups := strings.Split(s, ",")
	if len(groups) != 3 {
		return false
	}
	for _, g := range groups {
		for _, r := range g {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

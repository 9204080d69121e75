package remote

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
)

// Config describes the optional remote listener. The zero value is the
// default: no remote listener at all.
type Config struct {
	// Listen is the TCP address of the TLS listener: ":port" for every
	// interface or "IP:port", e.g. ":8443" or "203.0.113.5:443". The port
	// must be 443 when tls-alpn-01 is the only challenge.
	Listen string

	// Hosts are the exact public DNS names the listener answers for and
	// obtains certificates for. Case is ignored; wildcards, IP literals,
	// loopback and special-use names are refused.
	Hosts []string

	// CacheDir is the absolute directory where certificates and the ACME
	// account key are kept. It is created owner-only (0700).
	CacheDir string

	// Email is the optional contact address given to the CA.
	Email string

	// HTTPChallenge is the optional "IP:port" or ":port" (normally ":80")
	// where the engine serves ChallengeHandler for http-01. Empty means
	// tls-alpn-01 only.
	HTTPChallenge string

	// DirectoryURL is the ACME directory. Empty means Let's Encrypt
	// production. It must be https, except for a CA on a loopback address.
	DirectoryURL string
}

// Validate reports every problem in c, joined; errors.Is finds each cause
// (ErrNoHosts, ErrHostSyntax, ErrHostIP, ErrHostWildcard, ErrHostLoopback,
// ErrHostNotPublic, ErrListenAddr, ErrCacheDir, ErrEmail, ErrDirectoryURL).
// It does not touch the file system.
func (c Config) Validate() error {
	_, err := c.check()
	return err
}

// check validates c and returns its hosts in canonical form, without
// duplicates, in the order given.
func (c Config) check() ([]string, error) {
	var errs []error
	hosts, err := canonicalHosts(c.Hosts)
	if err != nil {
		errs = append(errs, err)
	}
	if err := checkListenAddr(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen: %w", err))
	}
	if c.HTTPChallenge != "" {
		if err := checkListenAddr(c.HTTPChallenge); err != nil {
			errs = append(errs, fmt.Errorf("http challenge: %w", err))
		} else if c.HTTPChallenge == c.Listen {
			errs = append(errs, fmt.Errorf("http challenge: %w: same address as the TLS listener", ErrListenAddr))
		}
	}
	if c.CacheDir == "" || !filepath.IsAbs(c.CacheDir) {
		errs = append(errs, fmt.Errorf("%w: %q", ErrCacheDir, c.CacheDir))
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Name != "" || a.Address != c.Email {
			errs = append(errs, fmt.Errorf("%w: %q", ErrEmail, c.Email))
		}
	}
	if c.DirectoryURL != "" {
		if err := checkDirectoryURL(c.DirectoryURL); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return hosts, nil
}

// canonicalHosts maps every host through canonicalHost and drops duplicates.
func canonicalHosts(raw []string) ([]string, error) {
	if len(raw) == 0 {
		return nil, ErrNoHosts
	}
	var (
		hosts []string
		errs  []error
		seen  = make(map[string]bool, len(raw))
	)
	for _, r := range raw {
		h, err := canonicalHost(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !seen[h] {
			seen[h] = true
			hosts = append(hosts, h)
		}
	}
	return hosts, errors.Join(errs...)
}

// checkListenAddr accepts ":port" or "IP:port" with a numeric port. Host
// names are refused so that the bound address never depends on DNS.
func checkListenAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrListenAddr, addr, err)
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil {
			return fmt.Errorf("%w: %q: host must be an IP address or empty", ErrListenAddr, addr)
		}
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%w: %q: port must be a number from 0 to 65535", ErrListenAddr, addr)
	}
	return nil
}

// checkDirectoryURL accepts an absolute https URL, or http to a loopback
// address (a test CA such as Pebble).
func checkDirectoryURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("%w: %q", ErrDirectoryURL, raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && a.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("%w: %q: must be https (http only to a loopback address)", ErrDirectoryURL, raw)
}

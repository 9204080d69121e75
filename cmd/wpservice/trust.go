package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/localca"
	"github.com/wpservice/wpservice/internal/trust"
)

const trustUsage = `usage: wpservice trust <install|uninstall|status> [--dir DIR] [-v]

Manages the per-install local CA that lets Safari and strict browsers reach
the engine over wss://127.0.0.1 and wss://localhost.

  install    create a new local CA (replacing the previous one), keep its
             certificate and a leaf for localhost, 127.0.0.1 and ::1 in
             DIR/tls, destroy the CA key, and trust the CA in every store
             found: the system store (Linux, needs root; otherwise prints the
             sudo commands), the Chromium and Firefox NSS databases, the
             macOS login keychain or the Windows user Root store
  uninstall  remove the CA from every store and delete DIR/tls
  status     print the fingerprint, the leaf expiry and, per store, whether
             the CA is trusted; exit status 0 when trusted somewhere

flags:
  --dir DIR  the engine's data directory (default: the user config dir)
  -v         log each step to stderr
`

// trustCmd runs "wpservice trust ..." against the real machine.
func trustCmd(args []string, stdout, stderr io.Writer) int {
	env, err := trust.HostEnvironment()
	if err != nil {
		fmt.Fprintln(stderr, "wpservice:", err)
		return 1
	}
	return runTrust(args, stdout, stderr, env)
}

// runTrust is trustCmd with the host described by env; tests pass an
// environment of temporary directories.
func runTrust(args []string, stdout, stderr io.Writer, env trust.Environment) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, trustUsage)
		return 2
	}
	verb := args[0]
	if verb == "help" || verb == "-h" || verb == "--help" {
		fmt.Fprint(stdout, trustUsage)
		return 0
	}
	fs := flag.NewFlagSet("trust "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("dir", "", "the engine's data directory")
	verbose := fs.Bool("v", false, "log each step to stderr")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "wpservice trust: unexpected argument %q\n\n%s", fs.Arg(0), trustUsage)
		return 2
	}
	if *dataDir == "" {
		d, err := config.DefaultDir()
		if err != nil {
			fmt.Fprintln(stderr, "wpservice trust:", err)
			return 1
		}
		*dataDir = d
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelDebug
	}
	tlsDir := trust.TLSDir(*dataDir)
	m := &trust.Manager{
		Dir:    tlsDir,
		Stores: trust.DefaultStores(env, tlsDir),
		Log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	switch verb {
	case "install":
		return trustInstall(m, stdout, stderr)
	case "uninstall":
		return trustUninstall(m, stdout, stderr)
	case "status":
		return trustStatus(m, stdout, stderr)
	}
	fmt.Fprintf(stderr, "wpservice trust: unknown command %q\n\n%s", verb, trustUsage)
	return 2
}

func trustInstall(m *trust.Manager, stdout, stderr io.Writer) int {
	rep, err := m.Install()
	if err != nil {
		fmt.Fprintln(stderr, "wpservice trust install:", err)
		return 1
	}
	printRoot(stdout, rep, m.Dir)
	fmt.Fprintf(stdout, "  files        %s (%s, %s, %s); the CA key was destroyed after signing\n",
		m.Dir, localca.CACertFile, localca.LeafCertFile, localca.LeafKeyFile)
	if rep.Replaced != "" {
		fmt.Fprintf(stdout, "replaced %s:\n", rep.Replaced)
		printOutcomes(stdout, rep.Stale, "removed")
	}
	fmt.Fprintln(stdout, "trust stores:")
	printOutcomes(stdout, rep.Stores, "")
	if !rep.Trusted() {
		fmt.Fprintln(stderr, "wpservice trust install: no store trusts the local CA; apply a fix above and run it again")
		return 1
	}
	return 0
}

func trustUninstall(m *trust.Manager, stdout, stderr io.Writer) int {
	rep, err := m.Uninstall()
	if errors.Is(err, trust.ErrNotInstalled) {
		fmt.Fprintf(stdout, "no local CA installed in %s\n", m.Dir)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "wpservice trust uninstall:", err)
		return 1
	}
	fmt.Fprintf(stdout, "local CA %s\n", rep.Nickname)
	printOutcomes(stdout, rep.Stores, "removed")
	for _, o := range rep.Stores {
		if o.State == trust.Failed {
			fmt.Fprintf(stderr, "wpservice trust uninstall: kept %s; apply the fixes above and run it again\n", m.Dir)
			return 1
		}
	}
	fmt.Fprintf(stdout, "deleted %s\n", m.Dir)
	return 0
}

func trustStatus(m *trust.Manager, stdout, stderr io.Writer) int {
	rep, err := m.Status()
	if errors.Is(err, trust.ErrNotInstalled) {
		fmt.Fprintf(stdout, "no local CA installed in %s\n  fix: run wpservice trust install\n", m.Dir)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "wpservice trust status:", err)
		return 1
	}
	printRoot(stdout, rep, m.Dir)
	fmt.Fprintln(stdout, "trust stores:")
	printOutcomes(stdout, rep.Stores, "")
	for _, o := range rep.Stores {
		if o.State == trust.NotTrusted {
			fmt.Fprintln(stdout, "fix for the stores that do not trust the CA: run wpservice trust install")
			break
		}
	}
	if !rep.Trusted() {
		return 1
	}
	return 0
}

// printRoot prints the root's name, fingerprint and the leaf's validity.
func printRoot(w io.Writer, rep trust.Report, dir string) {
	fmt.Fprintf(w, "local CA %s\n", rep.Nickname)
	fmt.Fprintf(w, "  fingerprint  SHA-256 %s\n", rep.Fingerprint)
	if rep.Leaf == nil {
		fmt.Fprintf(w, "  leaf         missing or damaged in %s\n      fix: run wpservice trust install\n", dir)
		return
	}
	fmt.Fprintf(w, "  leaf         %s; valid until %s\n", leafNames(rep.Leaf.DNSNames, rep.Leaf.IPAddresses), rep.Leaf.NotAfter.UTC().Format(time.DateOnly))
	if localca.NeedsRenewal(rep.Leaf, time.Now()) {
		fmt.Fprintln(w, "  warning      the leaf expires soon or has expired\n      fix: run wpservice trust install")
	}
}

// leafNames lists the names a leaf certifies.
func leafNames(dns []string, ips []net.IP) string {
	names := append([]string(nil), dns...)
	for _, ip := range ips {
		names = append(names, ip.String())
	}
	return strings.Join(names, ", ")
}

// printOutcomes prints one line per store and the fix for those that need
// one. done replaces the word for a successful operation ("removed").
func printOutcomes(w io.Writer, outcomes []trust.Outcome, done string) {
	for _, o := range outcomes {
		state := o.State.String()
		if done != "" && o.State == trust.NotTrusted {
			state = done
		}
		fmt.Fprintf(w, "  %-14s %s\n", state, o.Store)
		if o.Err == nil {
			continue
		}
		if fix := trust.Fix(o.Err); fix != "" {
			fmt.Fprintf(w, "      fix: %s\n", fix)
		} else {
			fmt.Fprintf(w, "      error: %v\n", o.Err)
		}
	}
}

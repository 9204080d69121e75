package testpeer

import (
	"crypto/md5"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"
)

//go:embed kamailio.cfg.tmpl
var kamailioConfig string

var kamailioTemplate = template.Must(template.New("kamailio.cfg").Parse(kamailioConfig))

// kamailioModuleGlobs are where distributions install kamailio's modules.
var kamailioModuleGlobs = []string{
	"/usr/lib/*/kamailio/modules",
	"/usr/lib/kamailio/modules",
	"/usr/lib64/kamailio/modules",
	"/usr/local/lib*/kamailio/modules",
}

// kamailioVersionTable is the db_text table of schema versions that auth_db
// checks before it reads the subscriber table.
const kamailioVersionTable = "/usr/share/kamailio/dbtext/kamailio/version"

// kamailioStartTimeout bounds how long kamailio gets to answer OPTIONS.
const kamailioStartTimeout = 10 * time.Second

// KamailioDomain is the SIP domain of every subscriber of a kamailio on
// loopback; elsewhere the domain is its Host's address (Kamailio.Domain).
const KamailioDomain = loopback

// KamailioOptions configures StartKamailio.
type KamailioOptions struct {
	// Auth demands digest authentication of REGISTER, INVITE and MESSAGE
	// requests whose From is in KamailioDomain.
	Auth bool
	// Users maps subscriber names to passwords; used when Auth is set.
	Users map[string]string
	// Host is where kamailio runs and listens; the zero Host is loopback.
	Host Host
	// TLS, when set, also has kamailio listen for SIP over TLS (its tls
	// module), on TLSAddr, with a server certificate for its address that
	// this CA signs.
	TLS *TestCA
	// Aliases are more domains kamailio takes as its own (a domain whose DNS
	// records lead to it), beside its address.
	Aliases []string
	// Presence makes it a presence server too (kamailio_presence.go): another
	// configuration, without Auth, TLS or Aliases.
	Presence bool
}

// Kamailio is a running kamailio registrar and proxy on its Host's address
// (127.0.0.1 by default), listening on UDP and TCP. It record-routes
// INVITEs, so in-dialog requests pass through it.
type Kamailio struct {
	Port   int    // the UDP and TCP port
	Addr   string // "IP:Port", e.g. "127.0.0.1:5060"
	Domain string // the SIP domain of its subscribers: its IP
	// TLSAddr is "IP:port" of the TLS listener, with KamailioOptions.TLS; else "".
	TLSAddr string

	dir      string
	instance string // sent back on OPTIONS replies to tell this kamailio apart
	proc     *process
}

// StartKamailio starts kamailio and waits until it answers SIP OPTIONS over
// both UDP and TCP, which means its workers of both kinds are up; the test
// fails with kamailio's log if it does not.
func StartKamailio(t TB, opts KamailioOptions) *Kamailio {
	t.Helper()
	bin := Need(t, "kamailio")
	if opts.Presence {
		needPresenceModules(t)
	}
	for attempt := 1; ; attempt++ {
		tlsPort := 0
		if opts.TLS != nil {
			tlsPort = FreePort(t)
		}
		k, err := startKamailio(t, bin, opts, FreePort(t), tlsPort)
		if err == nil {
			return k
		}
		if errors.Is(err, errPortTaken) && attempt < portAttempts {
			t.Logf("kamailio: %v; retrying on another port", err)
			continue
		}
		t.Fatalf("kamailio: %v", err)
	}
}

// startKamailio makes one attempt on port (and tlsPort, with opts.TLS).
func startKamailio(t TB, bin string, opts KamailioOptions, port, tlsPort int) (*Kamailio, error) {
	t.Helper()
	dir := t.TempDir()
	k := &Kamailio{dir: dir, Port: port, instance: rand.Text()}
	k.Addr = opts.Host.addr(port)
	k.Domain = opts.Host.ip()
	if opts.TLS != nil {
		k.TLSAddr = opts.Host.addr(tlsPort)
		if err := k.writeTLSConfig(t, opts.TLS); err != nil {
			return nil, err
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "run"), 0o755); err != nil {
		return nil, err
	}
	if err := k.writeConfig(opts, tlsPort); err != nil {
		return nil, err
	}
	args := []string{"-f", filepath.Join(dir, "kamailio.cfg"), "-DD", "-E",
		"-Y", filepath.Join(dir, "run"), "-P", filepath.Join(dir, "run", "kamailio.pid"), "-w", dir}
	if opts.Auth {
		args = append(args, "-A", "WITH_AUTH")
	}
	bin, args = opts.Host.command(t, bin, args...)
	k.proc = startProcess(t, "kamailio", dir, bin, args...)
	if err := k.waitReady(opts.TLS); err != nil {
		k.proc.stop()
		return nil, err
	}
	return k, nil
}

// waitReady waits until this kamailio (recognised by its X-Instance reply
// header, not some other process that took the port) answers OPTIONS over
// UDP, TCP and, with ca, TLS.
func (k *Kamailio) waitReady(ca *TestCA) error {
	deadline := time.Now().Add(kamailioStartTimeout)
	probes := []struct{ network, addr string }{{"udp", k.Addr}, {"tcp", k.Addr}}
	if ca != nil {
		probes = append(probes, struct{ network, addr string }{"tls", k.TLSAddr})
	}
	for _, probe := range probes {
		network := probe.network
		for {
			resp, err := sipOptionsWith(network, probe.addr, ca.pool(), 200*time.Millisecond)
			if err == nil && strings.HasPrefix(resp, "SIP/2.0 200") && strings.Contains(resp, "X-Instance: "+k.instance) {
				break
			}
			switch {
			case k.proc.bindFailed():
				return fmt.Errorf("%w: %s", errPortTaken, probe.addr)
			case k.proc.exited():
				return fmt.Errorf("exited (code %d) before it was ready:\n%s", k.proc.exitCode(), k.proc.tail(tailLines))
			case time.Now().After(deadline):
				return fmt.Errorf("not ready on %s after %v (last OPTIONS: %q, %v):\n%s",
					network, kamailioStartTimeout, resp, err, k.proc.tail(tailLines))
			}
			time.Sleep(20 * time.Millisecond) // a refused dial returns at once
		}
	}
	return nil
}

func (k *Kamailio) writeConfig(opts KamailioOptions, tlsPort int) error {
	modules, err := kamailioModulePath()
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(k.dir, "kamailio.cfg"))
	if err != nil {
		return err
	}
	defer f.Close()
	data := struct {
		IP         string
		Port       int
		Dir        string
		ModulePath string
		Instance   string
		TLSPort    int // 0: no TLS listener
		Aliases    []string
	}{k.Domain, k.Port, k.dir, modules, k.instance, tlsPort, opts.Aliases}
	tmpl := kamailioTemplate
	if opts.Presence {
		tmpl = kamailioPresenceTemplate
		if err := writePresenceDB(filepath.Join(k.dir, "db")); err != nil {
			return err
		}
	}
	if err := tmpl.Execute(f, data); err != nil {
		return err
	}
	if opts.Auth {
		return writeSubscribers(filepath.Join(k.dir, "db"), k.Domain, opts.Users)
	}
	return nil
}

func kamailioModulePath() (string, error) {
	for _, pattern := range kamailioModuleGlobs {
		dirs, _ := filepath.Glob(pattern)
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "tm.so")); err == nil {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("kamailio modules not found in %v", kamailioModuleGlobs)
}

// writeSubscribers writes the db_text database auth_db reads: the version
// table and a subscriber table with precomputed ha1 and ha1b, which db_text
// requires to be non-empty, for subscribers of domain.
func writeSubscribers(dbDir, domain string, users map[string]string) error {
	if err := os.Mkdir(dbDir, 0o755); err != nil {
		return err
	}
	version, err := os.ReadFile(kamailioVersionTable)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dbDir, "version"), version, 0o644); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string)\n")
	for i, name := range slices.Sorted(maps.Keys(users)) {
		pass := users[name]
		ha1 := md5hex(name + ":" + domain + ":" + pass)
		ha1b := md5hex(name + "@" + domain + ":" + domain + ":" + pass)
		fmt.Fprintf(&b, "%d:%s:%s:%s:%s:%s\n", i+1, name, domain, pass, ha1, ha1b)
	}
	return os.WriteFile(filepath.Join(dbDir, "subscriber"), []byte(b.String()), 0o644)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Contacts returns kamailio's user location table (kamcmd ul.dump), for
// assertions that a user is registered.
func (k *Kamailio) Contacts(t TB) string {
	t.Helper()
	kamcmd := Need(t, "kamcmd")
	out, err := exec.Command(kamcmd, "-s", "unix:"+filepath.Join(k.dir, "run", "kamailio_ctl"), "ul.dump").CombinedOutput()
	if err != nil {
		t.Fatalf("kamcmd ul.dump: %v\n%s", err, out)
	}
	return string(out)
}

// Log returns everything kamailio has logged so far.
func (k *Kamailio) Log() string { return k.proc.log() }

// PID is the ID of kamailio's main process, the leader of its process group.
func (k *Kamailio) PID() int { return k.proc.pid() }

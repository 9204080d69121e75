package testpeer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// dnsmasqStartTimeout bounds how long StartDnsmasq waits for its first answer.
const dnsmasqStartTimeout = 10 * time.Second

// DnsmasqOptions are the records StartDnsmasq serves, in dnsmasq's own option
// syntax, each without its leading "--": "host-record=pbx.example.test,127.0.0.1",
// "srv-host=_sip._udp.example.test,pbx.example.test,5060,10,0",
// "naptr-record=example.test,10,10,s,SIP+D2U,,_sip._udp.example.test".
type DnsmasqOptions struct {
	Records []string
	// Probe is a name among the records, asked for until dnsmasq answers.
	Probe string
}

// Dnsmasq is a running dnsmasq serving only the records it was given, on UDP and
// TCP of a loopback port: it reads no hosts file and no resolv.conf, and forwards
// nothing.
type Dnsmasq struct {
	Addr string // "127.0.0.1:port", for a resolver to ask

	proc *process
}

// StartDnsmasq starts dnsmasq on a free loopback port and waits until it answers
// for opts.Probe; the test fails with dnsmasq's log if it does not.
func StartDnsmasq(t TB, opts DnsmasqOptions) *Dnsmasq {
	t.Helper()
	bin := Need(t, "dnsmasq")
	for attempt := 1; ; attempt++ {
		d, err := startDnsmasq(t, bin, opts, FreePort(t))
		if err == nil {
			return d
		}
		if errors.Is(err, errPortTaken) && attempt < portAttempts {
			t.Logf("dnsmasq: %v; retrying on another port", err)
			continue
		}
		t.Fatalf("dnsmasq: %v", err)
	}
}

// startDnsmasq makes one attempt on port.
func startDnsmasq(t TB, bin string, opts DnsmasqOptions, port int) (*Dnsmasq, error) {
	t.Helper()
	dir := t.TempDir()
	d := &Dnsmasq{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	args := []string{"--keep-in-foreground", "--log-facility=-", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
		"--no-poll", "--pid-file", "--user=root", "--listen-address=127.0.0.1", "--bind-interfaces",
		"--port=" + strconv.Itoa(port)}
	for _, r := range opts.Records {
		args = append(args, "--"+r)
	}
	d.proc = startProcess(t, "dnsmasq", dir, bin, args...)
	if err := d.waitReady(opts.Probe); err != nil {
		d.proc.stop()
		return nil, err
	}
	return d, nil
}

// waitReady waits until dnsmasq answers for name.
func (d *Dnsmasq) waitReady(name string) error {
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, network, d.Addr)
	}}
	deadline := time.Now().Add(dnsmasqStartTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := r.LookupIPAddr(ctx, name)
		cancel()
		switch {
		case err == nil:
			return nil
		case d.proc.bindFailed():
			return fmt.Errorf("%w: %s", errPortTaken, d.Addr)
		case d.proc.exited():
			return fmt.Errorf("exited (code %d) before it was ready:\n%s", d.proc.exitCode(), d.proc.tail(tailLines))
		case time.Now().After(deadline):
			return fmt.Errorf("no answer for %s after %v: %v\n%s", name, dnsmasqStartTimeout, err, d.proc.tail(tailLines))
		}
		time.Sleep(20 * time.Millisecond) // a refused query returns at once
	}
}

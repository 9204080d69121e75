package testpeer

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/pion/stun/v3"
)

// coturnStartTimeout bounds how long StartCoturn waits for its first answer.
const coturnStartTimeout = 10 * time.Second

// CoturnOptions configures StartCoturn.
type CoturnOptions struct {
	// Host is where coturn runs and binds its one UDP listener; the zero Host
	// is loopback.
	Host Host
}

// Coturn is a running coturn (turnserver) that answers STUN only: the
// server a desk behind a NAT asks for its public address.
type Coturn struct {
	Addr string // "IP:Port" of its UDP listener, for sip.stunServer

	proc *process
}

// StartCoturn starts coturn as a plain STUN server (no TURN, no TLS, no
// TCP, no CLI, nothing read from the machine's configuration or database)
// on a free UDP port of opts.Host, and waits until it answers a Binding
// Request; the test fails with coturn's log if it does not. Its host must
// be reachable from the test: loopback or a Namespace linked to it.
func StartCoturn(t TB, opts CoturnOptions) *Coturn {
	t.Helper()
	bin := Need(t, "turnserver")
	for attempt := 1; ; attempt++ {
		c, err := startCoturn(t, bin, opts, FreeUDPPort(t))
		if err == nil {
			return c
		}
		if errors.Is(err, errPortTaken) && attempt < portAttempts {
			t.Logf("coturn: %v; retrying on another port", err)
			continue
		}
		t.Fatalf("coturn: %v", err)
	}
}

// startCoturn makes one attempt on port.
func startCoturn(t TB, bin string, opts CoturnOptions, port int) (*Coturn, error) {
	t.Helper()
	dir := t.TempDir()
	c := &Coturn{Addr: opts.Host.addr(port)}
	args := []string{"-n", "--stun-only", "--listening-ip=" + opts.Host.ip(), "--listening-port=" + strconv.Itoa(port),
		"--no-tcp", "--no-tls", "--no-dtls", "--no-cli", "--no-rfc5780", "--no-software-attribute",
		"--log-file=stdout", "--simple-log",
		"--pidfile=" + filepath.Join(dir, "turnserver.pid"), "--db=" + filepath.Join(dir, "turndb")}
	bin, args = opts.Host.command(t, bin, args...)
	c.proc = startProcess(t, "coturn", dir, bin, args...)
	if err := c.waitReady(port); err != nil {
		c.proc.stop()
		return nil, err
	}
	return c, nil
}

// waitReady waits until coturn answers a Binding Request on its address.
func (c *Coturn) waitReady(port int) error {
	deadline := time.Now().Add(coturnStartTimeout)
	for {
		_, err := stunBinding(c.Addr, 200*time.Millisecond)
		switch {
		case err == nil:
			return nil
		case c.proc.bindFailed():
			return fmt.Errorf("%w: %d", errPortTaken, port)
		case c.proc.exited():
			return fmt.Errorf("exited (code %d) before it was ready:\n%s", c.proc.exitCode(), c.proc.tail(tailLines))
		case time.Now().After(deadline):
			return fmt.Errorf("no STUN answer on %s after %v (%v):\n%s", c.Addr, coturnStartTimeout, err, c.proc.tail(tailLines))
		}
		time.Sleep(20 * time.Millisecond) // a refused datagram fails at once
	}
}

// stunBinding sends one Binding Request to addr from a new socket and waits
// up to timeout for its success answer; it returns the socket's address as
// the server saw it (the XOR-MAPPED-ADDRESS).
func stunBinding(addr string, timeout time.Duration) (string, error) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	req := stun.MustBuild(stun.TransactionID, stun.BindingRequest)
	if _, err := conn.Write(req.Raw); err != nil {
		return "", err
	}
	conn.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 1500)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return "", err
		}
		resp := &stun.Message{Raw: buf[:n]}
		if resp.Decode() != nil || resp.TransactionID != req.TransactionID {
			continue
		}
		if resp.Type != stun.BindingSuccess {
			return "", fmt.Errorf("answer %v", resp.Type)
		}
		var mapped stun.XORMappedAddress
		if err := mapped.GetFrom(resp); err != nil {
			return "", err
		}
		return mapped.String(), nil
	}
}

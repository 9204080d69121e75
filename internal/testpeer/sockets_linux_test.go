package testpeer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Local addresses as /proc/net/* prints them.
const (
	hexLoopback4 = "0100007F"
	hexLoopback6 = "00000000000000000000000001000000"
)

// boundSockets returns the local addresses ("udp 0100007F:1F90") of the UDP
// and TCP sockets process pid holds, read from /proc.
func boundSockets(t *testing.T, pid int) []string {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var addrs []string
	for _, proto := range []string{"udp", "tcp", "udp6", "tcp6"} {
		f, err := os.Open("/proc/net/" + proto)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 9 && inodes[fields[9]] {
				addrs = append(addrs, proto+" "+fields[1])
			}
		}
		f.Close()
	}
	return addrs
}

// assertLoopbackOnly fails the test if process pid holds a socket bound to
// an address other than 127.0.0.1 or ::1. With wildcardUDP, UDP sockets on
// the wildcard address are only logged.
func assertLoopbackOnly(t *testing.T, name string, pid int, wildcardUDP bool) {
	t.Helper()
	addrs := boundSockets(t, pid)
	if len(addrs) == 0 {
		t.Errorf("%s (pid %d): no sockets found", name, pid)
	}
	for _, a := range addrs {
		proto, local, _ := strings.Cut(a, " ")
		ip, _, _ := strings.Cut(local, ":")
		switch {
		case ip == hexLoopback4 || ip == hexLoopback6:
		case wildcardUDP && strings.HasPrefix(proto, "udp") && strings.Trim(ip, "0") == "":
			t.Logf("%s (pid %d): UDP socket on the wildcard address: %s", name, pid, a)
		default:
			t.Errorf("%s (pid %d) has a socket bound beyond loopback: %s", name, pid, a)
		}
	}
}

func TestPeersBindLoopbackOnly(t *testing.T) {
	t.Parallel()
	k, bob := startRegisteredBob(t)
	run := RunSIPp(t, SIPpOptions{Scenario: ScenarioPath(t, ScenarioUACPcapDTMF), Target: k.Addr, Service: "bob"})
	bob.WaitEvent(t, EventCallEstablished, eventTimeout)
	bob.WaitEvent(t, EventCallDTMFStart, eventTimeout) // media flows both ways now
	assertLoopbackOnly(t, "kamailio", k.proc.pid(), false)
	assertLoopbackOnly(t, "sipp", run.proc.pid(), false)
	// Baresip 1.0 has no setting for the address of its RTP/RTCP and DNS
	// client sockets and binds them to the wildcard address; its SIP and
	// ctrl_tcp sockets must still be on loopback.
	assertLoopbackOnly(t, "baresip", bob.proc.pid(), true)
	if code, log := run.Wait(t, sippTimeout); code != 0 {
		t.Errorf("sipp exit code %d:\n%s", code, lastLines(log, tailLines))
	}
}

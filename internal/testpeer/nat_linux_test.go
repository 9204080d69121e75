package testpeer

import (
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// natTestTimeout is the router's UDP timeout in the NAT's own test.
const natTestTimeout = 5 * time.Second

// Behind the NAT, the provider sees the desk's datagrams come from the
// router's public address and can answer through that mapping; the router
// keeps the mapping no longer than its UDP timeout; and once the mapping is
// gone (flushed here, rather than waited for) the router refuses a datagram
// to it itself, so it never reaches the desk. Nothing is left afterwards.
func TestNATMasqueradesAndForgets(t *testing.T) {
	t.Parallel()
	var nat *NAT
	t.Run("probe", func(t *testing.T) {
		nat = StartNAT(t, natTestTimeout)
		var far, desk *net.UDPConn
		var errFar, errDesk error
		inNamespace(t, nat.Provider, func() {
			far, errFar = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(nat.Provider.IP)})
		})
		inNamespace(t, nat.Desk, func() { desk, errDesk = net.ListenUDP("udp4", nil) })
		if err := errors.Join(errFar, errDesk); err != nil {
			t.Fatalf("listen: %v", err)
		}
		defer far.Close()
		defer desk.Close()
		deadline := time.Now().Add(2 * time.Second)
		far.SetDeadline(deadline)
		desk.SetDeadline(deadline)

		// Out through the router, and the answer back through the mapping.
		if _, err := desk.WriteToUDP([]byte("out"), far.LocalAddr().(*net.UDPAddr)); err != nil {
			t.Fatalf("send from the desk: %v", err)
		}
		buf := make([]byte, 64)
		n, mapped, err := far.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("the desk's datagram did not reach the provider: %v", err)
		}
		if string(buf[:n]) != "out" || mapped.IP.String() != nat.PublicIP {
			t.Fatalf("the provider received %q from %v, want \"out\" from the router's %s", buf[:n], mapped, nat.PublicIP)
		}
		if _, err := far.WriteToUDP([]byte("back"), mapped); err != nil {
			t.Fatal(err)
		}
		if n, err := desk.Read(buf); err != nil || string(buf[:n]) != "back" {
			t.Fatalf("the answer through the mapping: %q, %v", buf[:n], err)
		}
		if left := mappingTimeLeft(t, nat, mapped.Port); left > nat.UDPTimeout {
			t.Errorf("the router keeps the mapping %v, want at most %v", left, nat.UDPTimeout)
		}
		for _, key := range []string{"net.netfilter.nf_conntrack_udp_timeout", "net.netfilter.nf_conntrack_udp_timeout_stream"} {
			if got := strings.TrimSpace(inRouter(t, nat, "sysctl", "-n", key)); got != strconv.Itoa(int(nat.UDPTimeout/time.Second)) {
				t.Errorf("the router's %s = %s, want %v", key, got, nat.UDPTimeout)
			}
		}

		// Forgotten: the provider's socket, connected to the old mapping,
		// hears the router's port unreachable as a refusal.
		inRouter(t, nat, "conntrack", "-F")
		connect(t, far, mapped)
		if _, err := far.Write([]byte("late")); err != nil {
			t.Fatal(err)
		}
		if _, err := far.Read(buf); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("a datagram to the forgotten mapping %v: %v, want the router's refusal (ECONNREFUSED)", mapped, err)
		}
		desk.SetReadDeadline(time.Now())
		if n, err := desk.Read(buf); err == nil {
			t.Errorf("the desk received %q through a forgotten mapping", buf[:n])
		}
	})
	if nat == nil {
		t.SkipNow() // the subtest said why
	}
	for _, ns := range []*Namespace{nat.Provider, nat.Desk, {Name: nat.Router}} {
		if ns.Exists() {
			t.Errorf("namespace %s still exists", ns.Name)
		}
	}
}

// connect connects the UDP socket c to peer, so that an ICMP error from the
// way to it comes back as an error of its next read.
func connect(t *testing.T, c *net.UDPConn, peer *net.UDPAddr) {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	sa := &unix.SockaddrInet4{Port: peer.Port, Addr: [4]byte(peer.IP.To4())}
	if cerr := raw.Control(func(fd uintptr) { err = unix.Connect(int(fd), sa) }); cerr != nil || err != nil {
		t.Fatalf("connect to %v: %v, %v", peer, cerr, err)
	}
}

// mappingTimeLeft returns how long the router will keep its UDP mapping of
// public port, from its conntrack table (the third field of each entry).
func mappingTimeLeft(t *testing.T, nat *NAT, port int) time.Duration {
	t.Helper()
	out := inRouter(t, nat, "conntrack", "-L", "-p", "udp")
	for _, line := range strings.Split(out, "\n") {
		if fields := strings.Fields(line); len(fields) > 2 && strings.Contains(line, "dport="+strconv.Itoa(port)) {
			secs, err := strconv.Atoi(fields[2])
			if err != nil {
				t.Fatalf("conntrack entry %q: %v", line, err)
			}
			return time.Duration(secs) * time.Second
		}
	}
	t.Fatalf("the router has no mapping of port %d:\n%s", port, out)
	return 0
}

// inRouter runs bin with args in the NAT's router namespace and returns its
// output.
func inRouter(t *testing.T, nat *NAT, bin string, args ...string) string {
	t.Helper()
	ip, path := Need(t, "ip"), Need(t, bin)
	out, err := exec.Command(ip, append([]string{"netns", "exec", nat.Router, path}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", bin, strings.Join(args, " "), nat.Router, err, out)
	}
	return string(out)
}

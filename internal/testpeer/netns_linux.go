package testpeer

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
)

// Namespace is another host on one machine: a network namespace linked to
// the test's own by a veth pair, on a subnet of its own. A process in the
// test's namespace reaches it only through the link, as a desk reaches a
// PBX on another host; a socket bound to 127.0.0.1 cannot (sendto fails
// with EINVAL), which is how an engine bound to loopback fails at a real
// desk. The machine's own non-loopback address would not do: Linux
// delivers traffic from a loopback socket to a local address.
//
// Peers run inside it when their options' Host is the namespace's Host().
type Namespace struct {
	Name    string // the namespace, for "ip netns exec Name ..."
	IP      string // its address on the link, e.g. "10.77.3.2"
	LocalIP string // the link's other end: the test's own address, e.g. "10.77.3.1" (a NAT's desk: the router's)
	Link    string // the test's end of the veth pair; "" for a NAT's desk, which has no link to the test
	Subnet  string // the link's subnet, e.g. "10.77.3.0/24"
}

// netnsCount numbers the namespaces of this test process; with its PID it
// makes every name and subnet unique to the run.
var netnsCount atomic.Int32

// StartNamespace creates a namespace for role (e.g. "provider") with its
// loopback up and a veth pair to the test's namespace, each end up with an
// address on a /24 that no interface of the machine uses. A cleanup removes
// the pair and the namespace, also when the test fails; register it before
// starting peers inside, so that they are stopped first.
//
// It needs root and the ip command: without them the test is skipped, or
// fails when the environment has CI=true.
func StartNamespace(t TB, role string) *Namespace {
	t.Helper()
	ip := needNetns(t)
	n := netnsCount.Add(1)
	pid := os.Getpid()
	net3, err := freeSubnet(pid, int(n))
	if err != nil {
		t.Fatalf("namespace %s: %v", role, err)
	}
	ns := &Namespace{
		Name:    fmt.Sprintf("wps-%s-%d-%d", role, pid, n),
		IP:      net3 + ".2",
		LocalIP: net3 + ".1",
		Link:    fmt.Sprintf("wp%dn%dh", pid, n), // at most 15 bytes: IFNAMSIZ
		Subnet:  net3 + ".0/24",
	}
	peer := fmt.Sprintf("wp%dn%dp", pid, n)
	run := ipRunner(t, ip, ns.Name)
	run("netns", "add", ns.Name)
	t.Cleanup(func() { ns.remove(t, ip) })
	run("link", "add", ns.Link, "type", "veth", "peer", "name", peer)
	run("link", "set", peer, "netns", ns.Name)
	run("addr", "add", ns.LocalIP+"/24", "dev", ns.Link)
	run("link", "set", ns.Link, "up")
	run("-n", ns.Name, "addr", "add", ns.IP+"/24", "dev", peer)
	run("-n", ns.Name, "link", "set", peer, "up")
	run("-n", ns.Name, "link", "set", "lo", "up")
	return ns
}

// needNetns returns the path of ip, skipping the test (failing it under
// CI=true) when ip is missing or the test does not run as root.
func needNetns(t TB) string {
	t.Helper()
	ip := Need(t, "ip")
	if euid := os.Geteuid(); euid != 0 {
		const why = "network namespaces need root, as on CI: run this test as root (euid is %d)"
		if onCI() {
			t.Fatalf(why, euid)
		}
		t.Skipf(why, euid)
	}
	return ip
}

// ipRunner returns a function that runs the ip command with its arguments
// and fails the test, naming what, if it fails.
func ipRunner(t TB, ip, what string) func(args ...string) {
	return func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("namespace %s: ip %s: %v\n%s", what, strings.Join(args, " "), err, out)
		}
	}
}

// Host is where a peer runs to be on this namespace's host.
func (ns *Namespace) Host() Host { return Host{IP: ns.IP, Netns: ns.Name} }

// remove deletes the veth pair (both ends go with either) and then the
// namespace, reporting what it could not remove.
func (ns *Namespace) remove(t TB, ip string) {
	if _, err := net.InterfaceByName(ns.Link); err == nil {
		if out, err := exec.Command(ip, "link", "del", ns.Link).CombinedOutput(); err != nil {
			t.Errorf("namespace %s: ip link del %s: %v\n%s", ns.Name, ns.Link, err, out)
		}
	}
	if out, err := exec.Command(ip, "netns", "del", ns.Name).CombinedOutput(); err != nil {
		t.Errorf("namespace %s: ip netns del: %v\n%s", ns.Name, err, out)
	}
}

// Exists reports whether the namespace is still there (for tests of the
// clean-up).
func (ns *Namespace) Exists() bool {
	_, err := os.Stat(filepath.Join(netnsDir, ns.Name))
	return err == nil
}

// netnsDir is where "ip netns" keeps its named namespaces.
const netnsDir = "/run/netns"

// freeSubnet picks the first three octets of a /24 in 10.64.0.0/10 for
// namespace n of process pid: a spot derived from both, moved on past any
// subnet an interface of the machine already has an address in and past
// the prefixes in taken.
func freeSubnet(pid, n int, taken ...string) (string, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", err
	}
	const subnets = 64 * 256 // 10.64.0.0 to 10.127.255.0
	start := (pid*16 + n) % subnets
	for i := range subnets {
		k := (start + i) % subnets
		prefix := fmt.Sprintf("10.%d.%d", 64+k/256, k%256)
		_, subnet, _ := net.ParseCIDR(prefix + ".0/24")
		if !inUse(addrs, subnet) && !slices.Contains(taken, prefix) {
			return prefix, nil
		}
	}
	return "", fmt.Errorf("no free /24 in 10.64.0.0/10")
}

// inUse reports whether any of addrs lies in subnet or contains it.
func inUse(addrs []net.Addr, subnet *net.IPNet) bool {
	for _, a := range addrs {
		if ipnet, ok := a.(*net.IPNet); ok && (subnet.Contains(ipnet.IP) || ipnet.Contains(subnet.IP)) {
			return true
		}
	}
	return false
}

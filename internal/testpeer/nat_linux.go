package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// NAT is a desk behind a NAT router, on one machine. The desk (where the
// engine runs) is a namespace on a private subnet whose default route is the
// router; the router is a namespace that forwards between that subnet and
// the provider's, masquerading what leaves on its provider side, as a home
// router does; the provider is a Namespace linked to the test's namespace as
// StartNamespace makes it, so the test still reaches its peers. The router
// forgets an idle UDP mapping after UDPTimeout, so an inbound packet to an
// expired mapping is refused by the router itself.
//
//	desk (private) ──lan── router ──wan/isp── provider ──link── the test
//
// The provider has no route to the private subnet: it reaches the desk only
// through a mapping the desk opened.
type NAT struct {
	Provider *Namespace // kamailio, baresip: the PBX's host
	// Desk is the engine's host: IP is its private address, LocalIP the
	// router's address on the private subnet (its gateway); it has no link
	// to the test's namespace.
	Desk       *Namespace
	Router     string        // the router's namespace
	PublicIP   string        // the router's provider-side address: the source the provider sees
	UDPTimeout time.Duration // how long the router keeps an idle UDP mapping
}

// Interface names inside the NAT's namespaces; each namespace has its own
// names, so they need not be unique to the run.
const (
	natLAN = "lan" // the router's end toward the desk
	natWAN = "wan" // the router's end toward the provider
	natISP = "isp" // the provider's end toward the router
	natEth = "eth" // the desk's end toward the router
)

// StartNAT builds the NAT topology with a router that forgets idle UDP
// mappings after udpTimeout (whole seconds, at least 1): it sets the
// router's conntrack UDP timeouts, replied or not, inside its namespace
// only. Names and subnets are unique to the run; a cleanup removes the
// namespaces, and with them their links, rules and settings, also when the
// test fails.
//
// It needs root, ip, nft and sysctl (scripts/deps.sh installs them):
// without them the test is skipped, or fails when the environment has
// CI=true.
func StartNAT(t TB, udpTimeout time.Duration) *NAT {
	t.Helper()
	ip := needNetns(t)
	nft := Need(t, "nft")
	sysctl := Need(t, "sysctl")
	secs := int(udpTimeout / time.Second)
	if secs < 1 {
		t.Fatalf("nat: UDP timeout %v, want whole seconds, at least 1", udpTimeout)
	}
	provider := StartNamespace(t, "provider")
	n := int(netnsCount.Add(1))
	pid := os.Getpid()
	public, err := freeSubnet(pid, n, subnetPrefix(provider))
	if err != nil {
		t.Fatalf("nat: %v", err)
	}
	private, err := freeSubnet(pid, n+1, subnetPrefix(provider), public)
	if err != nil {
		t.Fatalf("nat: %v", err)
	}
	nat := &NAT{
		Provider:   provider,
		Router:     fmt.Sprintf("wps-router-%d-%d", pid, n),
		PublicIP:   public + ".1",
		UDPTimeout: time.Duration(secs) * time.Second,
		Desk: &Namespace{
			Name:    fmt.Sprintf("wps-desk-%d-%d", pid, n),
			IP:      private + ".2",
			LocalIP: private + ".1",
			Subnet:  private + ".0/24",
		},
	}
	ispIP := public + ".2"
	for _, name := range []string{nat.Router, nat.Desk.Name} {
		addNamespace(t, ip, name)
	}
	run := ipRunner(t, ip, nat.Router)
	// The links, created in place: each end is born in its namespace.
	run("-n", nat.Router, "link", "add", natWAN, "type", "veth", "peer", "name", natISP, "netns", provider.Name)
	run("-n", nat.Router, "link", "add", natLAN, "type", "veth", "peer", "name", natEth, "netns", nat.Desk.Name)
	run("-n", nat.Router, "addr", "add", nat.PublicIP+"/24", "dev", natWAN)
	run("-n", nat.Router, "addr", "add", nat.Desk.LocalIP+"/24", "dev", natLAN)
	run("-n", provider.Name, "addr", "add", ispIP+"/24", "dev", natISP)
	run("-n", nat.Desk.Name, "addr", "add", nat.Desk.IP+"/24", "dev", natEth)
	for ns, link := range map[string]string{nat.Router: natWAN, provider.Name: natISP, nat.Desk.Name: natEth} {
		run("-n", ns, "link", "set", link, "up")
	}
	run("-n", nat.Router, "link", "set", natLAN, "up")
	// The provider is one host with one address, as a PBX's is: what it
	// sends toward the router leaves from that address (a peer's unbound
	// RTP socket too, whose SDP names it), not from its end of the link.
	run("-n", provider.Name, "route", "replace", public+".0/24", "dev", natISP, "src", provider.IP)
	// The desk's default route is the router, the router's the provider
	// (its ISP); the provider knows only its own subnets.
	run("-n", nat.Desk.Name, "route", "add", "default", "via", nat.Desk.LocalIP)
	run("-n", nat.Router, "route", "add", "default", "via", ispIP)

	inRouter := func(stdin string, bin string, args ...string) {
		t.Helper()
		cmd := exec.Command(ip, append([]string{"netns", "exec", nat.Router, bin}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nat: %s %s in %s: %v\n%s", bin, strings.Join(args, " "), nat.Router, err, out)
		}
	}
	// The masquerade rule loads conntrack, whose timeouts exist only then.
	inRouter(fmt.Sprintf(masquerade, natWAN), nft, "-f", "-")
	inRouter("", sysctl, "-q", "-w", "net.ipv4.ip_forward=1",
		"net.netfilter.nf_conntrack_udp_timeout="+strconv.Itoa(secs),
		"net.netfilter.nf_conntrack_udp_timeout_stream="+strconv.Itoa(secs))
	return nat
}

// masquerade is the router's nftables rule set: what leaves on the
// provider-side interface (%[1]s) takes the router's address, and a datagram
// that arrives there for the router itself, claimed by no mapping, is refused
// (ICMP port unreachable), as a home router's firewall refuses what nobody
// asked for. Refused before conntrack confirms it, such a datagram leaves no
// entry behind: a far phone whose RTP reaches the router before the desk's
// first packet to it does not hold the public port, so the desk's flow keeps
// its port and the far phone's packets then follow the mapping.
const masquerade = `table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "%[1]s" masquerade
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "%[1]s" meta l4proto udp reject
	}
}
`

// addNamespace creates namespace name with its loopback up, and a cleanup
// that deletes it with everything in it.
func addNamespace(t TB, ip, name string) {
	t.Helper()
	run := ipRunner(t, ip, name)
	run("netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("namespace %s: ip netns del: %v\n%s", name, err, out)
		}
	})
	run("-n", name, "link", "set", "lo", "up")
}

// subnetPrefix returns the first three octets of ns's /24.
func subnetPrefix(ns *Namespace) string {
	return strings.TrimSuffix(ns.Subnet, ".0/24")
}

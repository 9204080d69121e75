package testpeer

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// inNamespace runs f inside ns (Namespace.Do), failing the test if it
// cannot enter it.
func inNamespace(t *testing.T, ns *Namespace, f func()) {
	t.Helper()
	if err := ns.Do(f); err != nil {
		t.Fatalf("enter namespace %s: %v", ns.Name, err)
	}
}

// The namespace is another host: a UDP probe crosses the link both ways,
// from and to the link's addresses; a socket bound to 127.0.0.1 cannot
// reach it, as an engine bound to loopback cannot reach a PBX; and nothing
// of it is left once its test ends.
func TestNamespaceIsAnotherHost(t *testing.T) {
	t.Parallel()
	var ns *Namespace
	t.Run("probe", func(t *testing.T) {
		ns = StartNamespace(t, "provider")
		var far *net.UDPConn
		inNamespace(t, ns, func() {
			var err error
			if far, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(ns.IP)}); err != nil {
				t.Errorf("listen in the namespace: %v", err)
			}
		})
		if far == nil {
			t.FailNow()
		}
		defer far.Close()
		probeAcross(t, far, ns)

		lo, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer lo.Close()
		if _, err := lo.WriteToUDP([]byte("probe"), far.LocalAddr().(*net.UDPAddr)); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("send from 127.0.0.1 to %s: %v, want EINVAL (the namespace is not another host)", far.LocalAddr(), err)
		}
	})
	if ns == nil {
		t.SkipNow() // the subtest said why
	}
	if ns.Exists() {
		t.Errorf("namespace %s still exists", ns.Name)
	}
	if _, err := net.InterfaceByName(ns.Link); err == nil {
		t.Errorf("link %s still exists", ns.Link)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	_, subnet, _ := net.ParseCIDR(ns.Subnet)
	if inUse(addrs, subnet) {
		t.Errorf("an address in %s is still assigned: %v", ns.Subnet, addrs)
	}
}

// probeAcross sends a datagram from the test's namespace to far (inside ns)
// and its echo back, and checks that each comes from the link's address.
func probeAcross(t *testing.T, far *net.UDPConn, ns *Namespace) {
	t.Helper()
	near, err := net.DialUDP("udp4", nil, far.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer near.Close()
	deadline := time.Now().Add(2 * time.Second)
	far.SetDeadline(deadline)
	near.SetDeadline(deadline)
	if _, err := near.Write([]byte("probe")); err != nil {
		t.Fatalf("send to %s: %v", far.LocalAddr(), err)
	}
	buf := make([]byte, 64)
	n, from, err := far.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("the probe did not arrive in the namespace: %v", err)
	}
	if string(buf[:n]) != "probe" || from.IP.String() != ns.LocalIP {
		t.Errorf("the namespace received %q from %v, want \"probe\" from %s", buf[:n], from, ns.LocalIP)
	}
	if _, err := far.WriteToUDP([]byte("echo"), from); err != nil {
		t.Fatalf("echo from the namespace: %v", err)
	}
	n, err = near.Read(buf)
	if err != nil || string(buf[:n]) != "echo" {
		t.Errorf("echo back: %q, %v", buf[:n], err)
	}
}

// Kamailio, baresip and SIPp run in the namespace bound to its address:
// kamailio answers OPTIONS from the test's namespace across the link (how
// StartKamailio waits for it), baresip registers with digest auth in the
// namespace's domain, and SIPp calls baresip.
func TestPeersRunInANamespace(t *testing.T) {
	t.Parallel()
	ns := StartNamespace(t, "provider")
	k := StartKamailio(t, KamailioOptions{Host: ns.Host(), Auth: true, Users: map[string]string{"bob": "bobpass"}})
	if k.Domain != ns.IP || !strings.HasPrefix(k.Addr, ns.IP+":") {
		t.Errorf("kamailio at %s for domain %s, want %s", k.Addr, k.Domain, ns.IP)
	}
	if !strings.Contains(k.Log(), "udp: "+ns.IP) {
		t.Errorf("kamailio's log does not show its UDP listener on %s:\n%s", ns.IP, k.Log())
	}
	bob := StartBaresip(t, BaresipOptions{Host: ns.Host(), User: "bob", Password: "bobpass", Registrar: k.Addr,
		AutoAnswer: true, SourceWAV: toneWAV(t, 30, toneHz), Record: true})
	bob.WaitRegistered(t, eventTimeout)
	if contacts := k.Contacts(t); !strings.Contains(contacts, "AoR: bob") || !strings.Contains(contacts, "@"+ns.IP+":") {
		t.Errorf("kamailio has no contact for bob at %s:\n%s", ns.IP, contacts)
	}
	run := RunSIPp(t, SIPpOptions{Host: ns.Host(), Scenario: "uac", Target: bob.SIPAddr, Service: "bob",
		Extra: []string{"-d", "200"}})
	assertSIPpSucceeded(t, run)
	if established := bob.WaitEvent(t, EventCallEstablished, eventTimeout); !strings.Contains(established.PeerURI, "sipp@"+ns.IP) {
		t.Errorf("bob's call peer = %q, want SIPp at %s", established.PeerURI, ns.IP)
	}
}

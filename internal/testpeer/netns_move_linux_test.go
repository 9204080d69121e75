package testpeer

import (
	"net"
	"testing"
)

// After MoveLocalIP the link has the new address and not the old one, and the
// namespace is reached from the new one.
func TestMoveLocalIP(t *testing.T) {
	t.Parallel()
	ns := StartNamespace(t, "move")
	old := ns.LocalIP
	moved := ns.MoveLocalIP(t)
	if moved == old || ns.LocalIP != moved {
		t.Fatalf("moved from %s to %s, LocalIP %s", old, moved, ns.LocalIP)
	}
	ifc, err := net.InterfaceByName(ns.Link)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			have = append(have, ipn.IP.String())
		}
	}
	if len(have) != 1 || have[0] != moved {
		t.Fatalf("%s has %v, want only %s", ns.Link, have, moved)
	}
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
}

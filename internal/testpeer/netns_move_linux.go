package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// MoveLocalIP gives the test's end of the link a new address on the same subnet and
// then takes the old one away, as a desk's address changes when it moves from one
// network to another: first the two addresses side by side, then only the new. The
// namespace's peers still reach the new address; a socket bound to the old one is
// stranded. It returns the new address, now ns.LocalIP.
//
// The kernel drops every secondary address of a subnet with its primary one unless
// the link promotes secondaries; the link is set to, for its own lifetime.
func (ns *Namespace) MoveLocalIP(t TB) string {
	t.Helper()
	ip := Need(t, "ip")
	promote := filepath.Join("/proc/sys/net/ipv4/conf", ns.Link, "promote_secondaries")
	if err := os.WriteFile(promote, []byte("1"), 0o644); err != nil {
		t.Fatalf("namespace %s: promote secondaries on %s: %v", ns.Name, ns.Link, err)
	}
	prefix := ns.LocalIP[:strings.LastIndexByte(ns.LocalIP, '.')]
	next := prefix + ".3"
	if ns.LocalIP == next {
		next = prefix + ".4"
	}
	for _, args := range [][]string{
		{"addr", "add", next + "/24", "dev", ns.Link},
		{"addr", "del", ns.LocalIP + "/24", "dev", ns.Link},
	} {
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("namespace %s: ip %s: %v\n%s", ns.Name, strings.Join(args, " "), err, out)
		}
	}
	ns.LocalIP = next
	return next
}

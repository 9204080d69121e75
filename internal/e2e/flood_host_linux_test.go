package e2e

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// The tools of the flood test: a stranger host with many addresses, the engine's
// SIP connections as the kernel sees them, and its resident memory over time.

// strangerHost is a network namespace with addrs addresses on its link: one host,
// or a crowd of hosts on one LAN, that the engine's filter does not admit.
type strangerHost struct {
	ns    *testpeer.Namespace
	addrs []netip.Addr
}

// startStrangerHost starts a namespace with n addresses on its end of the link,
// its own first; they go with the namespace when the test ends.
func startStrangerHost(t *testing.T, n int) *strangerHost {
	t.Helper()
	ns := testpeer.StartNamespace(t, "stranger")
	out, err := exec.Command("ip", "-n", ns.Name, "-o", "link", "show", "type", "veth").CombinedOutput()
	if err != nil {
		t.Fatalf("stranger's link: %v\n%s", err, out)
	}
	_, rest, _ := strings.Cut(string(out), ": ")
	link, _, _ := strings.Cut(rest, "@") // "2: wp1n2p@if3: <...>"
	first := netip.MustParseAddr(ns.IP)
	h := &strangerHost{ns: ns, addrs: []netip.Addr{first}}
	for a := first.Next(); len(h.addrs) < n; a = a.Next() {
		if out, err := exec.Command("ip", "-n", ns.Name, "addr", "add", a.String()+"/24", "dev", link).CombinedOutput(); err != nil {
			t.Fatalf("stranger's address %s: %v\n%s", a, err, out)
		}
		h.addrs = append(h.addrs, a)
	}
	return h
}

// do runs f with the sockets it opens inside the stranger's namespace.
func (h *strangerHost) do(t *testing.T, f func()) {
	t.Helper()
	if err := h.ns.Do(f); err != nil {
		t.Fatal(err)
	}
}

// sipConnections returns the engine's established TCP connections on its SIP port,
// counted per remote address: the sockets among /proc/PID/fd that /proc/net/tcp
// and tcp6 list with that local port.
func sipConnections(t *testing.T, pid, port int) map[netip.Addr]int {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	conns := map[netip.Addr]int{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // the header
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "01" || !inodes[fields[9]] { // 01: ESTABLISHED
				continue
			}
			if local, _ := procAddrPort(fields[1]); int(local.Port()) != port {
				continue
			}
			remote, err := procAddrPort(fields[2])
			if err != nil {
				t.Fatalf("%s: %q: %v", table, fields[2], err)
			}
			conns[remote.Addr().Unmap()]++
		}
		f.Close()
	}
	return conns
}

// procAddrPort parses an address of /proc/net/tcp{,6}: the IP in hex, by 32-bit
// words each in host (little-endian) order, a colon, the port in hex.
func procAddrPort(s string) (netip.AddrPort, error) {
	ipHex, portHex, _ := strings.Cut(s, ":")
	raw, err := hex.DecodeString(ipHex)
	if err != nil || len(raw)%4 != 0 {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	ip, _ := netip.AddrFromSlice(raw)
	port, err := strconv.ParseUint(portHex, 16, 16)
	return netip.AddrPortFrom(ip, uint16(port)), err
}

// rssPeak samples a process's VmRSS every interval until stop is closed, keeping
// the highest.
type rssPeak struct {
	peak atomic.Int64
	done chan struct{}
}

func sampleRSS(t *testing.T, pid int, interval time.Duration, stop <-chan struct{}) *rssPeak {
	r := &rssPeak{done: make(chan struct{})}
	r.peak.Store(vmRSS(t, pid))
	go func() {
		defer close(r.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if rss, err := readRSS(pid); err == nil && rss > r.peak.Load() {
				r.peak.Store(rss)
			}
		}
	}()
	return r
}

// max waits for the sampling to end and returns the peak.
func (r *rssPeak) max() int64 {
	<-r.done
	return r.peak.Load()
}

// readRSS is vmRSS for a goroutine that cannot fail the test.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// mib is n bytes in MiB, for messages.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

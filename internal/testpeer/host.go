package testpeer

import (
	"net"
	"strconv"
)

// Host is where a peer runs and the address it binds. The zero Host is this
// machine's loopback; a Namespace's Host is another host on the network, as
// a PBX is to a desk.
type Host struct {
	// IP is the address the peer binds and is reached at; "" means
	// 127.0.0.1.
	IP string
	// Netns is the network namespace the peer runs in (through "ip netns
	// exec", which keeps the peer's own PID); "" means the test's own.
	Netns string
}

// ip is the address the peer binds.
func (h Host) ip() string {
	if h.IP == "" {
		return loopback
	}
	return h.IP
}

// addr joins the host's address and port.
func (h Host) addr(port int) string {
	return net.JoinHostPort(h.ip(), strconv.Itoa(port))
}

// command returns how to run bin with args on this host: as it is, or
// through "ip netns exec" in the host's namespace.
func (h Host) command(t TB, bin string, args ...string) (string, []string) {
	t.Helper()
	if h.Netns == "" {
		return bin, args
	}
	return Need(t, "ip"), append([]string{"netns", "exec", h.Netns, bin}, args...)
}

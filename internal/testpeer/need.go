package testpeer

import (
	"net"
	"os"
	"os/exec"
	"sync"
)

// Need returns the path of the executable bin. When bin is not installed the
// test is skipped, or fails when the environment has CI=true, where a missing
// peer is a broken build machine rather than a developer's choice.
func Need(t TB, bin string) string {
	t.Helper()
	return need(t, bin, onCI())
}

// onCI reports whether the tests run on the build machine, where missing
// peers are an error.
func onCI() bool { return os.Getenv("CI") == "true" }

func need(t TB, bin string, ci bool) string {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		missing(t, bin, err, ci)
	}
	return path
}

// missing skips the test, or fails it on CI, because what is not installed.
func missing(t TB, what string, err error, ci bool) {
	t.Helper()
	if ci {
		t.Fatalf("%s missing: install with scripts/deps.sh (%v)", what, err)
	}
	t.Skipf("%s missing: install with scripts/deps.sh (%v)", what, err)
}

// loopback is the only address peers bind.
const loopback = "127.0.0.1"

// handedOut holds every port this process's tests were given. The kernel may
// hand a port just closed straight back to the next bind(0), so two calls in a
// row (the engine's SIP and control ports) could otherwise get the same one.
var handedOut struct {
	sync.Mutex
	ports map[int]bool
}

// claim records port as handed out, and reports false when it already was.
func claim(port int) bool {
	handedOut.Lock()
	defer handedOut.Unlock()
	if handedOut.ports[port] {
		return false
	}
	if handedOut.ports == nil {
		handedOut.ports = map[int]bool{}
	}
	handedOut.ports[port] = true
	return true
}

// FreePort returns a port that is free on 127.0.0.1 for both UDP and TCP at
// the time of the call, for peers such as kamailio that listen on both, and
// that no earlier call in this process returned.
func FreePort(t TB) int {
	t.Helper()
	const attempts = 50
	for range attempts {
		tl, err := net.Listen("tcp", loopback+":0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		port := tl.Addr().(*net.TCPAddr).Port
		ul, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		tl.Close()
		if err != nil {
			continue // taken for UDP; try another
		}
		ul.Close()
		if claim(port) {
			return port
		}
	}
	t.Fatalf("free port: no port free for both UDP and TCP after %d attempts", attempts)
	return 0
}

// FreeUDPPort returns a UDP port that is free on 127.0.0.1 at the time of the
// call and that no earlier call in this process returned.
func FreeUDPPort(t TB) int {
	t.Helper()
	const attempts = 50
	for range attempts {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatalf("free UDP port: %v", err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		if claim(port) {
			return port
		}
	}
	t.Fatalf("free UDP port: every port offered was handed out already, %d attempts", attempts)
	return 0
}

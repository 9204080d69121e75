package testpeer

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"
)

// WaitTCPListening waits until a socket listens on the TCP port on this host, as
// the kernel's socket tables (/proc/net/tcp, tcp6) say, without connecting to it:
// a peer that takes one connection only (SIPp's 3PCC twin) must not see a probe.
// The test fails when it does not within the time given.
func WaitTCPListening(t TB, port int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		listening, err := tcpListening(port)
		if err != nil {
			t.Fatalf("TCP port %d: %v", port, err)
		}
		if listening {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on TCP port %d after %v", port, within)
		}
		time.Sleep(5 * time.Millisecond) // the kernel tells no one of a new listener
	}
}

// tcpListening reports whether a socket in the LISTEN state (0A) has port as its
// local port.
func tcpListening(port int) (bool, error) {
	want := fmt.Sprintf(":%04X", port)
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			if table == "/proc/net/tcp6" {
				continue // no IPv6
			}
			return false, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 3 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
				f.Close()
				return true, nil
			}
		}
		f.Close()
	}
	return false, nil
}

package testpeer

import (
	"os/exec"
	"strconv"
	"strings"
)

// ResetConnections aborts every established TCP connection in the namespace
// whose local port is port (ss -K, the kernel's socket destroy), as a server that
// restarts or a middlebox that drops a flow does: the far end gets a reset and
// the connection is gone on both sides. It returns how many it aborted.
func (ns *Namespace) ResetConnections(t TB, port int) int {
	t.Helper()
	ip := Need(t, "ip")
	ss := Need(t, "ss")
	out, err := exec.Command(ip, "netns", "exec", ns.Name, ss, "-K", "-H", "-tn",
		"state", "established", "sport", "=", ":"+strconv.Itoa(port)).CombinedOutput()
	if err != nil {
		t.Fatalf("namespace %s: ss -K on port %d: %v\n%s", ns.Name, port, err, out)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(line) != "" {
			n++ // one line per socket (-H: no header)
		}
	}
	return n
}

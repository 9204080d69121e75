package testpeer

import (
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
)

// outcomeTB records how need ended a test, in place of the real testing.T:
// Fatalf and Skipf stop the calling goroutine as the real ones do.
type outcomeTB struct {
	testing.TB
	fatal, skip string
}

func (o *outcomeTB) Helper() {}

func (o *outcomeTB) Fatalf(format string, args ...any) {
	o.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (o *outcomeTB) Skipf(format string, args ...any) {
	o.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestNeed(t *testing.T) {
	tests := []struct {
		name      string
		bin       string
		ci        bool
		wantPath  bool
		wantFatal bool
		wantSkip  bool
	}{
		{name: "present", bin: "sh", wantPath: true},
		{name: "present on CI", bin: "sh", ci: true, wantPath: true},
		{name: "missing skips", bin: "no-such-peer-binary", wantSkip: true},
		{name: "missing fails on CI", bin: "no-such-peer-binary", ci: true, wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &outcomeTB{TB: t}
			var path string
			done := make(chan struct{})
			go func() {
				defer close(done)
				path = need(tb, tt.bin, tt.ci)
			}()
			<-done
			if got := path != ""; got != tt.wantPath {
				t.Errorf("path = %q, want a path: %v", path, tt.wantPath)
			}
			if got := tb.fatal != ""; got != tt.wantFatal {
				t.Errorf("fatal = %q, want fatal: %v", tb.fatal, tt.wantFatal)
			}
			if got := tb.skip != ""; got != tt.wantSkip {
				t.Errorf("skip = %q, want skip: %v", tb.skip, tt.wantSkip)
			}
			for _, msg := range []string{tb.fatal, tb.skip} {
				if msg != "" && !strings.Contains(msg, "scripts/deps.sh") {
					t.Errorf("message %q does not say how to install", msg)
				}
			}
		})
	}
}

func TestFreePortIsFreeForUDPAndTCP(t *testing.T) {
	port := FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	tl, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("TCP %s: %v", addr, err)
	}
	defer tl.Close()
	ul, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("UDP %s: %v", addr, err)
	}
	ul.Close()
}

func TestFreeUDPPortIsFree(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", FreeUDPPort(t))
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("UDP %s: %v", addr, err)
	}
	c.Close()
}

// The kernel may give a port just closed to the next bind(0); the engine's SIP
// and control ports, picked one after the other, once came out the same.
func TestFreePortsAreNeverHandedOutTwice(t *testing.T) {
	seen := map[int]string{}
	for i := range 600 {
		for kind, port := range map[string]int{"both": FreePort(t), "udp": FreeUDPPort(t)} {
			if prev, dup := seen[port]; dup {
				t.Fatalf("call %d: port %d (%s) was handed out already (%s)", i, port, kind, prev)
			}
			seen[port] = kind
		}
	}
}

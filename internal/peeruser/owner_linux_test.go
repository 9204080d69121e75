package peeruser

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const nobody = 65534

// When the test binary runs with this variable set, it is the other user's
// client: it dials the address, waits for a byte and prints what happened.
const dialEnv = "PEERUSER_TEST_DIAL"

func TestMain(m *testing.M) {
	if addr := os.Getenv(dialEnv); addr != "" {
		os.Exit(dialAndReport(addr))
	}
	os.Exit(m.Run())
}

func dialAndReport(addr string) int {
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		fmt.Println("outcome=refused", err)
		return 0
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = c.Read(make([]byte, 1))
	switch {
	case err == io.EOF, err != nil && strings.Contains(err.Error(), "reset"):
		fmt.Println("outcome=dropped")
	case err != nil:
		fmt.Println("outcome=kept", err) // timed out: the server held the connection
	default:
		fmt.Println("outcome=served")
	}
	return 0
}

func TestProcAddr(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the table below is written for a little-endian host")
	}
	tests := []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "0100007F:1F90"},
		{&net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 1}, "0302010A:0001"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 443}, "00000000000000000000000001000000:01BB"},
	}
	for _, tt := range tests {
		if got := procAddr(tt.addr); got != tt.want {
			t.Errorf("procAddr(%v) = %s, want %s", tt.addr, got, tt.want)
		}
	}
}

func TestFindOwner(t *testing.T) {
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:4A44 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 0100007F:D431 0100007F:4A44 01 00000000:00000000 00:00000000 00000000  1000        0 2 1
   2: 0100007F:4A44 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1
`
	sc := func() *bufio.Scanner { return bufio.NewScanner(strings.NewReader(table)) }
	if uid, ok := findOwner(sc(), "0100007F:D431", "0100007F:4A44"); !ok || uid != 1000 {
		t.Errorf("client socket owner = %d, %v; want 1000", uid, ok)
	}
	if _, ok := findOwner(sc(), "0100007F:9999", "0100007F:4A44"); ok {
		t.Error("found an owner for a socket that is not in the table")
	}
}

func TestOwnerOfARealConnection(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		host := map[string]string{"tcp4": "127.0.0.1", "tcp6": "[::1]"}[network]
		ln, err := net.Listen(network, host+":0")
		if err != nil {
			t.Logf("%s: %v", network, err)
			continue
		}
		defer ln.Close()
		client, err := net.Dial(network, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		server, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer server.Close()
		if uid, ok := Owner(server); !ok || uid != os.Getuid() {
			t.Errorf("%s: Owner = %d, %v; want %d", network, uid, ok, os.Getuid())
		}
	}
}

func TestListenerDropsOtherUsers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The owners the fake lookup reports, in the order connections are accepted:
	// another user's, ours, and one whose owner cannot be found.
	type owner struct {
		uid   int
		found bool
	}
	owners := make(chan owner, 3)
	owners <- owner{2000, true}
	owners <- owner{1000, true}
	owners <- owner{0, false}
	l := &listener{Listener: ln, uid: 1000, log: discard(), owner: func(net.Conn) (int, bool) {
		o := <-owners
		return o.uid, o.found
	}}
	defer l.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	other := dial()
	defer other.Close()
	_ = other.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := other.Read(make([]byte, 1)); err == nil || os.IsTimeout(err) {
		t.Fatalf("the other user's connection was not closed (read: %v)", err)
	}
	for _, name := range []string{"ours", "unknown owner"} {
		c := dial()
		defer c.Close()
		select {
		case got := <-accepted:
			if got.RemoteAddr().String() != c.LocalAddr().String() {
				t.Errorf("%s: accepted %s, want %s", name, got.RemoteAddr(), c.LocalAddr())
			}
			got.Close()
		case <-time.After(3 * time.Second):
			t.Fatalf("%s: not accepted", name)
		}
	}
}

// TestAnotherUserIsRefused runs a client as another real user (needs root).
func TestAnotherUserIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs root, which CI has")
		}
		t.Skip("needs root to run a client as another user")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Listener(ln, discard())
	defer l.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()

	// The test binary lives in a private build directory: copy it where nobody may run it.
	dir, err := os.MkdirTemp("", "peeruser-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "client")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{dialEnv + "=" + ln.Addr().String()}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("other user's client: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "outcome=dropped") {
		t.Fatalf("other user's client: %s; want outcome=dropped", out)
	}
	select {
	case c := <-accepted:
		t.Fatalf("Accept handed over a connection from %s", c.RemoteAddr())
	default:
	}
	// Our own connection still gets through.
	mine, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(3 * time.Second):
		t.Fatal("our own connection was not accepted")
	}
}

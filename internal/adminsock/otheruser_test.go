//go:build linux

package adminsock

import (
	"context"
	"errors"
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

// clientEnv, when set to a socket path, makes the test binary act as the
// other user's client instead of running the tests.
const clientEnv = "ADMINSOCK_TEST_OTHER_USER_CLIENT"

// nobody is the uid and gid the other user's client runs as.
const nobody = 65534

func TestMain(m *testing.M) {
	if path := os.Getenv(clientEnv); path != "" {
		fmt.Println(otherUserClient(path))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// otherUserClient dials the admin socket, writes a line and reads, and
// describes what happened as "outcome=<word> detail=<text>". The words:
// EACCES (could not connect), dropped (the server closed the connection),
// answered, timeout, or error.
func otherUserClient(path string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := Dial(ctx, path)
	if errors.Is(err, syscall.EACCES) {
		return "outcome=EACCES detail=" + err.Error()
	}
	if err != nil {
		return "outcome=error detail=dial: " + err.Error()
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(conn, "pair approve https://evil.example\n"); err != nil {
		return describeDrop("write", err)
	}
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if n > 0 {
		return fmt.Sprintf("outcome=answered detail=%q", buf[:n])
	}
	return describeDrop("read", err)
}

// describeDrop classifies the error of a write or read on a connection.
func describeDrop(op string, err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "outcome=dropped detail=" + op + ": " + err.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return "outcome=timeout detail=" + op + ": " + err.Error()
	default:
		return fmt.Sprintf("outcome=error detail=%s: %v", op, err)
	}
}

// TestAdminSocketRefusesOtherUsers runs a client as nobody against a live
// admin socket. Each row loosens part of the layout by hand, so that each
// guard is tested on its own: the 0700 directory, the 0600 socket and, with
// both opened up, the peer-credential check in Accept.
func TestAdminSocketRefusesOtherUsers(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name     string
		dirMode  os.FileMode // 0: as Listen made it
		sockMode os.FileMode // 0: as Listen made it
		want     string
	}{
		{name: "owner-only layout", want: "EACCES"},
		{name: "socket opened, directory guards", sockMode: 0o777, want: "EACCES"},
		{name: "directory opened, socket guards", dirMode: 0o755, want: "EACCES"},
		{name: "both opened, peer credentials guard", dirMode: 0o755, sockMode: 0o777, want: "dropped"},
	}
	// The worst case umask: only Listen's own modes keep others out.
	defer syscall.Umask(syscall.Umask(0))

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := worldReadableDir(t)
			client := copyTestBinary(t, base)
			path := filepath.Join(base, appDir, socketName)
			log, logs := newTestLogger()
			ln := listen(t, path, log)
			accepted := acceptInto(t, ln)

			if tt.dirMode != 0 {
				chmod(t, filepath.Dir(path), tt.dirMode)
			}
			if tt.sockMode != 0 {
				chmod(t, path, tt.sockMode)
			}

			out := runAsNobody(t, client, path)
			t.Logf("other user's client: %s", out)
			if !strings.HasPrefix(out, "outcome="+tt.want+" ") {
				t.Fatalf("other user's client: %s; want outcome=%s", out, tt.want)
			}
			// Accept never handed the other user's connection over: the
			// first one it returns is ours, made afterwards.
			expectOwnConnectionFirst(t, path, accepted)
			if tt.want == "dropped" && !strings.Contains(logs.String(), fmt.Sprintf("peer_uid=%d", nobody)) {
				t.Errorf("no warning naming peer_uid=%d in the log:\n%s", nobody, logs)
			}
		})
	}
}

// worldReadableDir returns a new 0755 directory, so that only the modes
// Listen sets below it stand between the other user and the socket.
func worldReadableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "adminsock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	chmod(t, dir, 0o755)
	return dir
}

// copyTestBinary copies the running test binary, which lives in a private
// build directory, into dir so that another user can execute it.
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "client.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// runAsNobody runs the client binary as uid/gid nobody with no supplementary
// groups and returns its one-line report.
func runAsNobody(t *testing.T, bin, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = []string{clientEnv + "=" + path}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client as uid %d: %v\n%s", nobody, err, out)
	}
	return strings.TrimSpace(string(out))
}

// acceptInto accepts on ln until it is closed and sends every connection it
// gets to the returned channel.
func acceptInto(t *testing.T, ln net.Listener) <-chan net.Conn {
	t.Helper()
	accepted := make(chan net.Conn, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(accepted)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- conn
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for conn := range accepted {
			conn.Close()
		}
	})
	return accepted
}

// expectOwnConnectionFirst dials path as the current user, sends a marker
// and checks that the next connection out of accepted is this one.
func expectOwnConnectionFirst(t *testing.T, path string, accepted <-chan net.Conn) {
	t.Helper()
	const marker = "same user\n"
	conn, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatalf("Dial as the current user: %v", err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, marker); err != nil {
		t.Fatal(err)
	}

	var got net.Conn
	select {
	case got = <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("Accept returned no connection for the current user")
	}
	defer got.Close()
	if uid, err := peerUID(got.(*net.UnixConn)); err != nil || uid != os.Geteuid() {
		t.Errorf("first accepted connection has peer uid %d (%v), want %d", uid, err, os.Geteuid())
	}
	got.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, len(marker))
	if _, err := io.ReadFull(got, buf); err != nil || string(buf) != marker {
		t.Errorf("first accepted connection sent %q (%v), want %q", buf, err, marker)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

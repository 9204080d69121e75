package testpeer

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs f on an OS thread that has entered the namespace, so the sockets
// f opens live there; they stay there when used from any goroutine
// afterwards. The thread goes back to the caller's namespace, or, if it
// cannot, ends with its goroutine so that no other goroutine runs on it.
func (ns *Namespace) Do(f func()) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		own, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			done <- err
			return
		}
		defer own.Close()
		target, err := os.Open(filepath.Join(netnsDir, ns.Name))
		if err != nil {
			done <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		f()
		if err := unix.Setns(int(own.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- err // the thread stays locked and ends with this goroutine
			return
		}
		runtime.UnlockOSThread()
		done <- nil
	}()
	return <-done
}

// DialContext dials addr from inside the namespace, as a process running
// there would: 127.0.0.1 is the namespace's own loopback. It fits
// http.Transport.DialContext and websocket.Dialer.NetDialContext, so a test
// reaches a control API bound to loopback in the namespace.
func (ns *Namespace) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var conn net.Conn
	var err error
	if nerr := ns.Do(func() { conn, err = new(net.Dialer).DialContext(ctx, network, addr) }); nerr != nil {
		return nil, nerr
	}
	return conn, err
}

// Command returns a command that runs bin with args inside the namespace
// (through "ip netns exec", which keeps the process's own PID, so signals
// reach it).
func (ns *Namespace) Command(t TB, bin string, args ...string) *exec.Cmd {
	t.Helper()
	bin, args = ns.Host().command(t, bin, args...)
	return exec.Command(bin, args...)
}

//go:build darwin || freebsd

package adminsock

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerUID returns the effective uid of the process that connected conn, as
// the kernel recorded it at connect time (LOCAL_PEERCRED, what getpeereid
// reads).
func peerUID(conn *net.UnixConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return -1, err
	}
	var (
		cred    *unix.Xucred
		credErr error
	)
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if credErr != nil {
		return -1, credErr
	}
	return int(cred.Uid), nil
}

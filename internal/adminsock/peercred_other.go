//go:build unix && !linux && !darwin && !freebsd

package adminsock

import "net"

// peerUID cannot read peer credentials here, so every connection is refused.
func peerUID(*net.UnixConn) (int, error) {
	return -1, ErrNoPeerCred
}

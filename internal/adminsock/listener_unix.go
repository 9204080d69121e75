//go:build unix

package adminsock

import (
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sync"
)

// listener is the admin socket: a Unix listener that hands out only
// connections whose peer runs as the same user as the engine.
type listener struct {
	ln   *net.UnixListener
	path string
	sock fs.FileInfo // the socket file Listen created
	uid  int         // the engine's effective uid
	log  *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// Accept waits for the next connection from the engine's own user. Other
// users' connections are closed, logged at Warn with their uid, and skipped.
func (l *listener) Accept() (net.Conn, error) {
	for {
		conn, err := l.ln.AcceptUnix()
		if err != nil {
			return nil, err
		}
		uid, err := peerUID(conn)
		if err != nil {
			l.log.Warn("admin socket: refused connection with unreadable peer credentials", "err", err)
			conn.Close()
			continue
		}
		if uid != l.uid {
			l.log.Warn("admin socket: refused connection from another user", "peer_uid", uid, "uid", l.uid)
			conn.Close()
			continue
		}
		return conn, nil
	}
}

// Close stops listening and removes the socket file, unless it has since been
// replaced by another engine's socket. Later calls return the first result.
func (l *listener) Close() error {
	l.closeOnce.Do(func() {
		l.closeErr = l.ln.Close()
		if fi, err := os.Lstat(l.path); err == nil && os.SameFile(fi, l.sock) {
			if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) && l.closeErr == nil {
				l.closeErr = err
			}
		}
	})
	return l.closeErr
}

// Addr returns the socket's address.
func (l *listener) Addr() net.Addr { return l.ln.Addr() }

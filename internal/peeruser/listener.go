package peeruser

import (
	"log/slog"
	"net"
	"os"
)

// Listener returns ln with an Accept that drops (closes and logs) connections whose
// client socket belongs to another user than this process's, and keeps accepting.
func Listener(ln net.Listener, log *slog.Logger) net.Listener {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &listener{Listener: ln, uid: os.Getuid(), log: log, owner: Owner}
}

type listener struct {
	net.Listener
	uid   int
	log   *slog.Logger
	owner func(net.Conn) (int, bool)
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uid, found := l.owner(c)
		if !found || uid == l.uid {
			return c, nil
		}
		l.log.Warn("connection from another user refused", "peer_uid", uid, "remote", c.RemoteAddr().String())
		_ = c.Close()
	}
}

package sipstack

import (
	"net"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// tracer hands wire messages to Config.OnTrace with credentials redacted.
// Received messages come from the transport read filter (every transport);
// sent messages are seen on the UDP socket and on TCP connections accepted
// by our listener, which carry everything except requests on TCP/TLS
// connections the stack dials itself.
type tracer struct {
	fn func(Trace)
}

func (t *tracer) enabled() bool { return t != nil && t.fn != nil }

func (t *tracer) emit(dir string, remote net.Addr, b []byte) {
	if !t.enabled() || len(b) == 0 {
		return
	}
	r := ""
	if remote != nil {
		r = remote.String()
	}
	t.fn(Trace{Dir: dir, Remote: r, Message: redactCredentials(string(b))})
}

// readFilter is a sip.TransportReadFilter that traces and passes data on.
func (t *tracer) readFilter(info sip.TransportReadProps, data []byte) ([]byte, error) {
	t.emit("recv", info.RemoteAddr, data)
	return data, nil
}

// redactCredentials replaces the values of Authorization and
// Proxy-Authorization header lines, keeping only the scheme.
func redactCredentials(msg string) string {
	lower := strings.ToLower(msg)
	if !strings.Contains(lower, "authorization") {
		return msg
	}
	var b strings.Builder
	b.Grow(len(msg))
	for line := range strings.Lines(msg) {
		name, value, ok := strings.Cut(line, ":")
		n := strings.ToLower(strings.TrimSpace(name))
		if !ok || (n != "authorization" && n != "proxy-authorization") {
			b.WriteString(line)
			continue
		}
		scheme, _, _ := strings.Cut(strings.TrimSpace(value), " ")
		b.WriteString(name + ": " + scheme + " [redacted]")
		if strings.HasSuffix(line, "\r\n") {
			b.WriteString("\r\n")
		} else if strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// tracedPacketConn traces every datagram written to the UDP socket.
type tracedPacketConn struct {
	net.PacketConn
	t *tracer
}

func (c tracedPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	n, err := c.PacketConn.WriteTo(b, addr)
	if err == nil {
		c.t.emit("send", addr, b[:n])
	}
	return n, err
}

// tracedListener wraps accepted TCP connections so writes are traced.
type tracedListener struct {
	net.Listener
	t *tracer
}

func (l tracedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return tracedConn{Conn: c, t: l.t}, nil
}

type tracedConn struct {
	net.Conn
	t *tracer
}

func (c tracedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err == nil {
		c.t.emit("send", c.RemoteAddr(), b[:n])
	}
	return n, err
}

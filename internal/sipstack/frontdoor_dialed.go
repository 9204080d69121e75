package sipstack

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// The connections the stack dials (TCP or TLS to the account's server, or to a
// peer it calls) are not accepted from the listener, so doorConn never holds them;
// sipgo reads them itself. What comes on them passes the same door all the same,
// in the transport read filter, which sees each read before sipgo parses it: a
// compromised or broken server can send anything. The bytes are cut into messages
// (stream), each judged as a datagram is (rate, size, torture screen): those that
// pass go on to sipgo, together; a request refused is answered on the connection
// (400, 416, 505 or 513) and goes no further; a stream that loses its framing
// (headers beyond maxRequest, a request without a Content-Length) is closed, since
// no message boundary is left to find. Not applied: the accepted connections'
// header and idle timeouts (a flow to the registrar is meant to stay open, and
// what we dial we close), and the tidying of From and To (our answers on these
// connections are sipgo's, not the door's).

// maxDialedIdle is how many idle dialed streams are kept before those idle are
// forgotten: an idle stream holds nothing, and one forgotten starts afresh at the
// next message.
const maxDialedIdle = 64

// dialedStreams are the streams of the dialed connections, by local and remote
// address.
type dialedStreams struct {
	mu sync.Mutex
	m  map[string]*stream
}

// errLostFraming closes a dialed connection whose stream lost its framing.
var errLostFraming = errors.New("sipstack: stream without message boundaries")

// dialed reports a read of a connection the stack dialed: TLS (the stack listens
// on none) or TCP from a port other than the listener's.
func (s *Stack) dialed(info sip.TransportReadProps) bool {
	switch strings.ToUpper(info.Transport) {
	case "TLS":
		return true
	case "TCP":
		la, ok := info.LocalAddr.(*net.TCPAddr)
		return ok && la.Port != s.tcpPort
	}
	return false
}

// doorDialed is the door's read filter step for dialed connections: it returns
// the messages of data the door passes, and keeps what is not yet whole.
func (s *Stack) doorDialed(info sip.TransportReadProps, data []byte) ([]byte, error) {
	if !s.dialed(info) || info.RemoteAddr == nil || s.door == nil {
		return data, nil
	}
	key := info.LocalAddr.String() + " " + info.RemoteAddr.String()
	in := s.dialedStreams.get(key)
	in.add(data, time.Now())
	src := addrOf(info.RemoteAddr)
	var out []byte
	for {
		p, ok, tooLong := in.next()
		if tooLong {
			s.door.log.note("size", "headers too large on a dialed connection, closed", "source", src.String())
			s.dialedStreams.forget(key)
			return nil, errLostFraming
		}
		if !ok {
			return out, nil
		}
		if p.keepAlive {
			out = append(out, p.data...)
			continue
		}
		switch s.door.judgeHead(p.data, p.size, src, true) {
		case pass:
			if p.unframed {
				s.dialedStreams.forget(key)
				return nil, errLostFraming // sipgo could find no boundary after it either
			}
			out = append(out, p.data...)
		case tooBig:
			s.answerDialed(info, answerFrom(p.data, 513, "Message Too Large"))
		case refuse:
			s.answerDialed(info, answerFrom(p.data, 403, "Forbidden"))
		case malformed:
			s.answerDialed(info, refusal(p.data, true))
		}
	}
}

// answerDialed writes a stateless answer of the door on the dialed connection a
// read came from.
func (s *Stack) answerDialed(info sip.TransportReadProps, res []byte) {
	if res == nil {
		return
	}
	c, err := s.ua.TransportLayer().GetConnection(strings.ToLower(info.Transport), info.RemoteAddr.String())
	if err != nil || c == nil {
		return
	}
	defer func() { _, _ = c.TryClose() }() // the reference GetConnection took
	if w, ok := c.(io.Writer); ok && sameAddr(c.LocalAddr(), info.LocalAddr) {
		_, _ = w.Write(res)
	}
}

// sameAddr reports two socket addresses alike.
func sameAddr(a, b net.Addr) bool {
	return a != nil && b != nil && a.String() == b.String()
}

// get returns the stream of key, new if none is kept.
func (d *dialedStreams) get(key string) *stream {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*stream{}
	}
	if in := d.m[key]; in != nil {
		return in
	}
	if len(d.m) >= maxDialedIdle {
		for k, in := range d.m {
			if !in.inMessage() {
				delete(d.m, k)
			}
		}
	}
	in := &stream{}
	d.m[key] = in
	return in
}

// forget drops the stream of key, whose connection is closing.
func (d *dialedStreams) forget(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, key)
}

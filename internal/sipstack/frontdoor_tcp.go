package sipstack

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
	"time"
)

// doorListener is the TCP listener as sipgo accepts from it: a source over its rate
// or its number of connections, or any source once maxConns are open, is closed at
// once; an accepted connection must bring each message whole within headerTimeout
// of its first byte, and is closed after idleTimeout without one.
type doorListener struct {
	net.Listener
	d *door
}

// Accept returns the next connection the door lets in.
func (l doorListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		src := addrOf(c.RemoteAddr())
		admitted := l.d.s.admitsSource(src)
		if !l.d.buckets.take(src, admitted) {
			l.d.log.note("rate", "connection beyond the rate limit closed", "source", src.String())
			c.Close()
			continue
		}
		if !l.d.conns.add(src, admitted) {
			l.d.log.note("conns", "connection beyond the cap closed", "source", src.String())
			c.Close()
			continue
		}
		return &doorConn{Conn: c, src: src, admitted: admitted, d: l.d}, nil
	}
}

// connCounter counts the accepted connections, per source and in all. Strangers
// share maxConns; a source the filter admits (the account's server, loopback) is held
// to its own per-source cap only, so strangers holding every connection they may
// cannot shut out the PBX.
type connCounter struct {
	mu        sync.Mutex
	total     int
	strangers int
	per       map[netip.Addr]int
}

// add counts a new connection from src, unless a cap is reached.
func (c *connCounter) add(src netip.Addr, admitted bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.per[src] >= maxConnsPerSource || (!admitted && c.strangers >= maxConns) {
		return false
	}
	c.total++
	c.per[src]++
	if !admitted {
		c.strangers++
	}
	return true
}

func (c *connCounter) remove(src netip.Addr, admitted bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total--
	if !admitted {
		c.strangers--
	}
	if c.per[src]--; c.per[src] <= 0 {
		delete(c.per, src)
	}
}

// open is the number of connections counted.
func (c *connCounter) open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// doorConn is an accepted connection under the door's deadlines. It reads the
// stream itself, cuts it into messages and judges each as a datagram is judged:
// sipgo reads only the messages that pass, one per Read, tidied as over UDP; a
// malformed request, one too large or a stranger's INVITE is answered on the
// connection, and what UDP drops is dropped.
type doorConn struct {
	net.Conn
	src      netip.Addr
	admitted bool // counted apart from the strangers (connCounter)
	d        *door
	closed   sync.Once
	wmu      sync.Mutex // guards writers and the write deadline
	writers  int        // writes under way or waiting (send)

	// Touched by Read only: sipgo reads a connection from one goroutine.
	in   stream
	out  [][]byte // messages passed and not yet read, each read whole
	err  error    // the read's error, returned once out is read
	read []byte
}

// Read returns the next message the door passes, or the bytes of it that fit b.
func (c *doorConn) Read(b []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.err = c.readMore()
	}
	n := copy(b, c.out[0])
	if c.out[0] = c.out[0][n:]; len(c.out[0]) == 0 {
		c.out = c.out[1:]
	}
	return n, nil
}

// readMore reads once, under the deadline the stream's state asks for, and judges
// the messages made whole.
func (c *doorConn) readMore() error {
	deadline := time.Now().Add(c.d.idleTimeout)
	if c.in.inMessage() {
		deadline = c.in.started.Add(c.d.headerTimeout)
	}
	if err := c.Conn.SetReadDeadline(deadline); err != nil {
		return err
	}
	if c.read == nil {
		c.read = make([]byte, 16*1024)
	}
	n, err := c.Conn.Read(c.read)
	c.in.add(c.read[:n], time.Now())
	for {
		p, ok, tooLong := c.in.next()
		if tooLong {
			c.d.log.note("size", "request headers too large, the rest of the stream discarded", "source", c.src.String())
		}
		if !ok {
			return err
		}
		c.admit(p)
	}
}

// admit passes, answers or drops one piece of the stream.
func (c *doorConn) admit(p piece) {
	if p.keepAlive {
		c.out = append(c.out, p.data)
		return
	}
	if line, _, _ := bytes.Cut(p.data, []byte("\r\n")); !bytes.Contains(line, []byte(" ")) {
		// No start line of a request or a response: sipgo drops such a datagram,
		// but it would end the connection for it.
		c.d.log.note("malformed", "bytes that are no message dropped", "source", c.src.String())
		return
	}
	switch c.d.judgeHead(p.data, p.size, c.src, true) {
	case pass:
		// A message without a Content-Length passes only as a response, which the
		// door does not inspect; sipgo would end the connection for it.
		if !p.unframed {
			c.out = append(c.out, tidyAddresses(p.data))
		}
	case tooBig:
		c.reply(answerFrom(p.data, 513, "Message Too Large"))
	case refuse:
		c.reply(answerFrom(p.data, 403, "Forbidden"))
	case malformed:
		c.reply(refusal(p.data, true))
	}
}

// Write writes b, a From's empty tag taken off (untidy), within writeTimeout
// (send).
func (c *doorConn) Write(b []byte) (int, error) {
	if err := c.send(untidy(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// reply writes a stateless answer of the door on the connection.
func (c *doorConn) reply(res []byte) {
	if res != nil {
		_ = c.send(res)
	}
}

// send writes b within writeTimeout of the last write that went out: a peer that
// sends and never reads fills its receive window and then our send buffer, and
// would hold the writing goroutines (the door's, for its own answers, and one of
// sipgo's per answered request) for ever, and the connection with them. The
// deadline is set by the first of the writes waiting and moved on only when one
// completes, never by a write that merely joins the queue, so a peer that keeps
// sending cannot keep it away. When the deadline passes the connection is closed:
// the writes waiting fail at once, and the next read ends it.
func (c *doorConn) send(b []byte) error {
	c.wmu.Lock()
	if c.writers == 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.d.writeTimeout))
	}
	c.writers++
	c.wmu.Unlock()

	_, err := c.Conn.Write(b)

	c.wmu.Lock()
	c.writers--
	if err == nil && c.writers > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.d.writeTimeout)) // progress: the next gets its time
	}
	c.wmu.Unlock()
	if err != nil {
		c.d.log.note("stuck", "connection that reads no answers closed", "source", c.src.String())
		_ = c.Conn.Close()
	}
	return err
}

// Close closes the connection and uncounts it, once.
func (c *doorConn) Close() error {
	c.closed.Do(func() { c.d.conns.remove(c.src, c.admitted) })
	return c.Conn.Close()
}

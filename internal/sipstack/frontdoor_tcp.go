package sipstack

import (
	"bytes"
	"net"
	"net/netip"
	"strconv"
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

// doorConn is an accepted connection under the door's deadlines.
type doorConn struct {
	net.Conn
	src      netip.Addr
	admitted bool // counted apart from the strangers (connCounter)
	d        *door
	closed   sync.Once
	frame    framer // touched by Read only: sipgo reads a connection from one goroutine
}

// Read sets the deadline the connection's state asks for and reads.
func (c *doorConn) Read(b []byte) (int, error) {
	deadline := time.Now().Add(c.d.idleTimeout)
	if c.frame.inMessage {
		deadline = c.frame.started.Add(c.d.headerTimeout)
	}
	if err := c.Conn.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(b)
	c.frame.feed(b[:n], time.Now())
	return n, err
}

// Close closes the connection and uncounts it, once.
func (c *doorConn) Close() error {
	c.closed.Do(func() { c.d.conns.remove(c.src, c.admitted) })
	return c.Conn.Close()
}

// framer follows the message boundaries of a stream, to know whether a message is
// being read and since when. It keeps the headers of the message being read (up to
// maxRequest bytes) to find their end and the Content-Length.
type framer struct {
	inMessage bool
	started   time.Time // the message's first byte
	head      []byte    // its headers so far
	body      int       // bytes of its body still to come
}

var endOfHeaders = []byte("\r\n\r\n")

// feed takes the bytes p read at now.
func (f *framer) feed(p []byte, now time.Time) {
	for len(p) > 0 {
		switch {
		case f.body > 0:
			k := min(f.body, len(p))
			f.body, p = f.body-k, p[k:]
			f.inMessage = f.body > 0
		case !f.inMessage:
			p = bytes.TrimLeft(p, "\r\n") // keep-alives between messages
			if len(p) > 0 {
				f.inMessage, f.started, f.head = true, now, f.head[:0]
			}
		default:
			had := len(f.head)
			from := max(0, had-len(endOfHeaders)+1)
			f.head = append(f.head, p[:min(len(p), max(0, maxRequest-had))]...)
			i := bytes.Index(f.head[from:], endOfHeaders)
			if i < 0 {
				return // the rest of the headers is still to come (or too long: the deadline ends it)
			}
			end := from + i + len(endOfHeaders)
			f.body, _ = strconv.Atoi(headerValue(f.head[:end], "Content-Length", "l"))
			f.body = max(0, f.body)
			f.inMessage = f.body > 0
			p = p[end-had:]
			f.head = f.head[:0]
		}
	}
}

package sipstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Keep-alives hold open, while we are registered, the path from the registrar to us:
// the NAT mapping of our UDP socket, the TCP or TLS connection the registrar sends
// our incoming calls on. They go to the registration's next hop (the outbound proxy,
// else the registrar: where the REGISTER's answer came from), every Config.KeepAlive.
//
//   - UDP: one bare CRLF datagram, as pjsua sends by default (its ka_data). RFC 5626
//     keeps UDP flows with STUN, which needs a STUN server on the registrar's port;
//     most do not run one, and a CRLF is dropped harmlessly by every SIP server
//     (RFC 3261 §7.5 lets CRLFs precede a message) while it refreshes the mapping
//     just the same. There is no answer to check.
//   - TCP and TLS: the RFC 5626 §3.5.1 ping, a CRLFCRLF, which the server answers with
//     a CRLF pong. No pong within pongTimeout (RFC 5626 §4.4.1 says 10 s), a failed
//     write, or a flow that is gone (the server or a middlebox reset it) means the
//     server can no longer reach us: the registration loop re-registers at once,
//     which opens a new flow.
//
// sipgo answers pings it receives and drops CRLFs, but tells nobody of a pong; the
// stack's transport read filter (pongs.filter) sees them before sipgo does.

// pongTimeout bounds the wait for a pong (RFC 5626 §4.4.1).
const pongTimeout = 10 * time.Second

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
)

// errNoPong is a ping the server did not answer in time.
var errNoPong = errors.New("sipstack: no keep-alive pong")

// flow is where the registration's requests go: the transport, the local address
// they advertise and the remote address of the next hop, host:port ("" when no
// answer came).
type flow struct {
	transport string // UDP, TCP or TLS
	localIP   string
	raddr     string
}

// keepAlive sends one keep-alive on f and, on a stream, waits for its pong. An error
// means the flow no longer carries the registration.
func (s *Stack) keepAlive(ctx context.Context, f flow) error {
	if f.transport == "UDP" {
		if s.udpConn == nil {
			return nil // Config.NoUDP: no socket of ours to send from
		}
		addr, err := net.ResolveUDPAddr("udp", f.raddr)
		if err != nil {
			return err
		}
		_, err = s.udpConn.WriteTo(crlf, addr)
		return err
	}
	conn, err := s.ua.TransportLayer().GetConnection(f.transport, f.raddr)
	if err != nil || conn == nil {
		return fmt.Errorf("sipstack: %s flow to %s is gone", f.transport, f.raddr)
	}
	defer func() { _, _ = conn.TryClose() }() // the reference GetConnection took
	w, ok := conn.(io.Writer)
	if !ok {
		return fmt.Errorf("sipstack: %s connection cannot be written", f.transport)
	}
	pong := s.pongs.await(f.raddr)
	defer s.pongs.cancel(f.raddr)
	if _, err := w.Write(crlfcrlf); err != nil {
		return err
	}
	select {
	case <-pong:
		return nil
	case <-s.clock.After(pongTimeout):
		return errNoPong
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pongWaiter hands the pongs read on stream connections to the pings waiting for them.
type pongWaiter struct {
	mu      sync.Mutex
	waiting map[string]chan struct{} // by remote address
}

// await registers a wait for a pong from raddr; cancel ends it.
func (p *pongWaiter) await(raddr string) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waiting == nil {
		p.waiting = map[string]chan struct{}{}
	}
	ch := make(chan struct{}, 1)
	p.waiting[raddr] = ch
	return ch
}

func (p *pongWaiter) cancel(raddr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.waiting, raddr)
}

// filter is a sip.TransportReadFilter: a read of CRLFs alone on a stream is a pong
// (or a ping, which sipgo answers), and wakes a ping waiting on that connection.
// Everything passes on unchanged.
func (p *pongWaiter) filter(info sip.TransportReadProps, data []byte) ([]byte, error) {
	if strings.EqualFold(info.Transport, "udp") || info.RemoteAddr == nil ||
		len(data) == 0 || len(data) > len(crlfcrlf) || len(bytes.Trim(data, "\r\n")) != 0 {
		return data, nil
	}
	p.mu.Lock()
	ch := p.waiting[info.RemoteAddr.String()]
	p.mu.Unlock()
	if ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return data, nil
}

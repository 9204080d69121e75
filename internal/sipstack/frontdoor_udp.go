package sipstack

import "net"

// doorPacketConn is the UDP socket as sipgo reads it: datagrams the door refuses
// never reach sipgo, and a request too large (513) or a stranger's INVITE (403) is
// answered here, without a transaction.
type doorPacketConn struct {
	net.PacketConn
	d *door
}

// ReadFrom returns the next datagram the door lets through.
func (c doorPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.PacketConn.ReadFrom(b)
		if err != nil || n == 0 {
			return n, addr, err
		}
		switch c.d.judge(b[:n], addrOf(addr)) {
		case pass:
			return copy(b, tidyAddresses(b[:n])), addr, nil
		case tooBig:
			c.answer(b[:n], addr, 513, "Message Too Large")
		case refuse:
			c.answer(b[:n], addr, 403, "Forbidden")
		case malformed:
			if res := refusal(b[:n], false); res != nil {
				_, _ = c.PacketConn.WriteTo(res, addr) // to the source, as rport asks (RFC 3581)
			}
		}
	}
}

// answer sends the stateless response to the request in data back to its source, as
// rport asks (RFC 3581).
func (c doorPacketConn) answer(data []byte, to net.Addr, code int, reason string) {
	if res := statelessAnswer(data, code, reason); res != nil {
		_, _ = c.PacketConn.WriteTo(res, to)
	}
}

// WriteTo sends b to addr, a From's empty tag taken off (untidy).
func (c doorPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if _, err := c.PacketConn.WriteTo(untidy(b), addr); err != nil {
		return 0, err
	}
	return len(b), nil
}

package media

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// DefaultSTUNTimeout is how long a stream waits for each answer of the STUN server.
const DefaultSTUNTimeout = 500 * time.Millisecond

// stunTries is how many Binding Requests a stream sends before it gives up: the
// same transaction retransmitted, as RFC 5389 §7.2.1 does on UDP.
const stunTries = 2

// publicAddr asks the STUN server at server ("host:port") for the address
// that conn's datagrams leave the NAT with (RFC 5389 Binding, the
// XOR-MAPPED-ADDRESS), from conn itself so that the mapping it learns is the
// one RTP uses. It runs before conn's reader starts: it alone reads conn
// meanwhile, and drops whatever is not the answer to its transaction. It
// leaves conn without a read deadline.
func publicAddr(conn *net.UDPConn, server string, timeout time.Duration) (netip.AddrPort, error) {
	defer conn.SetReadDeadline(time.Time{})
	local := conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr()
	raddr, err := resolveSTUN(server, local, timeout*stunTries)
	if err != nil {
		return netip.AddrPort{}, err
	}
	req, id := newBindingRequest()
	buf := make([]byte, maxPacket)
	for range stunTries {
		if _, err := conn.WriteToUDPAddrPort(req, raddr); err != nil {
			return netip.AddrPort{}, fmt.Errorf("stun: send to %s: %w", raddr, err)
		}
		if err := conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
			return netip.AddrPort{}, fmt.Errorf("stun: %w", err)
		}
		for {
			n, _, err := conn.ReadFromUDPAddrPort(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break // send again, or give up
			}
			if err != nil {
				return netip.AddrPort{}, fmt.Errorf("stun: read: %w", err)
			}
			if addr, ok, err := bindingAnswer(buf[:n], id); ok {
				return addr, err
			}
		}
	}
	return netip.AddrPort{}, fmt.Errorf("stun: no answer from %s after %d tries of %v", raddr, stunTries, timeout)
}

// resolveSTUN resolves server ("host:port") to an address of local's family,
// the only family local's socket can reach, within timeout.
func resolveSTUN(server string, local netip.Addr, timeout time.Duration) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(server)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("stun: server %q: %w", server, err)
	}
	network := "ip6"
	if local.Unmap().Is4() {
		network = "ip4"
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, network, host)
	if err != nil || len(addrs) == 0 {
		return netip.AddrPort{}, fmt.Errorf("stun: resolve %q for %s: %w", host, network, err)
	}
	p, err := net.LookupPort("udp", port)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("stun: server %q: %w", server, err)
	}
	return netip.AddrPortFrom(addrs[0].Unmap(), uint16(p)), nil
}

// startSTUN readies the STUN exchanges of s.cfg: none without a server (Ready
// is closed at once), else one from the RTP socket and, with STUNRTCP, one from
// the RTCP socket; Ready closes once each has called Done on the group returned.
func (s *Stream) startSTUN() *sync.WaitGroup {
	var asking sync.WaitGroup
	switch {
	case s.cfg.STUNServer == "":
		close(s.learned)
		return &asking
	case s.cfg.STUNRTCP:
		asking.Add(2)
	default:
		asking.Add(1)
	}
	go func() {
		asking.Wait()
		close(s.learned)
	}()
	return &asking
}

// readRTPAfterSTUN is the RTP socket's goroutine: it asks the STUN server of
// s.cfg, if any, for the public address, says it is known, and then reads RTP.
// Bind does not wait for it.
func (s *Stream) readRTPAfterSTUN(asking *sync.WaitGroup) {
	if s.cfg.STUNServer != "" {
		s.learnPublicAddr()
		asking.Done()
	}
	s.readRTP()
}

// readRTCPAfterSTUN is the RTCP socket's goroutine: with Config.STUNRTCP it
// asks the STUN server for that socket's public address first, then reads RTCP.
func (s *Stream) readRTCPAfterSTUN(asking *sync.WaitGroup) {
	if s.cfg.STUNServer != "" && s.cfg.STUNRTCP {
		addr, err := publicAddr(s.rtcp, s.cfg.STUNServer, s.cfg.STUNTimeout)
		switch {
		case err == nil:
			s.publicRTCP = addr
			s.log.Info("STUN: public RTCP address", "public", addr.String())
		case !s.isDone():
			s.log.Warn("STUN: no public RTCP address", "server", s.cfg.STUNServer, "err", err)
		}
		asking.Done()
	}
	s.readRTCP()
}

// learnPublicAddr sets s.public from the STUN server of s.cfg, or logs why it
// stays unset: the SDP then carries the local address.
func (s *Stream) learnPublicAddr() {
	addr, err := publicAddr(s.rtp, s.cfg.STUNServer, s.cfg.STUNTimeout)
	if err != nil && s.isDone() {
		return // closed while it asked
	}
	if err != nil {
		s.log.Warn("STUN: no public RTP address, the SDP carries the local one", "server", s.cfg.STUNServer, "err", err)
		return
	}
	s.public = addr
	s.log.Info("STUN: public RTP address", "server", s.cfg.STUNServer, "local", s.rtp.LocalAddr().String(), "public", addr.String())
}

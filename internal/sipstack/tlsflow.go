package sipstack

import (
	"context"
	"net"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// There is no TLS listener: a registrar reaches us over TLS only through the
// connection our REGISTER opened, reused for requests toward us (RFC 5923, and the
// flow of RFC 5626). Before each REGISTER over TLS the stack opens that connection
// (or finds it open) and puts its local port in Contact, with transport=tls, so a
// registrar sending to the Contact finds the connection it already has from that
// address and port. sipgo reads every connection it dialed and hands the requests
// arriving on it to our handlers like any other. Calls we place over TLS advertise
// the same Contact: they leave on the same connection.

// flowPorts is the local port of the TLS connection to the registrar, per local
// address, and the registrar's address that connection goes to. Safe for
// concurrent use.
type flowPorts struct {
	mu    sync.Mutex
	m     map[string]int
	raddr string // "IP:port" of the registrar's end, as the connection pool knows it
}

func (f *flowPorts) get(ip string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	port, ok := f.m[ip]
	return port, ok
}

func (f *flowPorts) set(ip string, port int, raddr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]int{}
	}
	f.m[ip] = port
	f.raddr = raddr
}

func (f *flowPorts) remote() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.raddr
}

// openFlow opens, or finds open, the TLS connection REGISTERs for acc leave on, and
// notes its local port for the Contact advertised from ip. The certificate check of
// a new connection happens here, so its failure is the registration's.
func (s *Stack) openFlow(ctx context.Context, acc Account, ip string) error {
	probe := sip.NewRequest(sip.REGISTER, registrarURI(acc))
	probe.SetTransport(acc.transport())
	routeTo(probe, acc)
	probe.AppendHeader(&sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0",
		Transport: acc.transport(), Params: sip.NewParams()})
	conn, err := s.ua.TransportLayer().ClientRequestConnection(ctx, probe)
	if err != nil {
		return err
	}
	defer func() { _, _ = conn.TryClose() }() // the reference ClientRequestConnection took
	_, port, err := sip.ParseAddr(conn.LocalAddr().String())
	if err != nil {
		return err
	}
	raddr := ""
	if rc, ok := conn.(interface{ RemoteAddr() net.Addr }); ok {
		raddr = rc.RemoteAddr().String()
	}
	s.flows.set(ip, port, raddr)
	return nil
}

// dropStrandedFlow closes the registration's TLS connection when it is bound to a
// local address other than ip, the one that now routes to the registrar. After a
// network change that connection is stranded on an address the machine no longer
// has: what is written to it is lost without an error until TCP gives up, minutes
// later. Closed and out of the pool, it lets the next request to the registrar (the
// REGISTER that follows the change, the re-INVITE that moves a call) open a new
// connection from ip.
func (s *Stack) dropStrandedFlow(ip string) {
	raddr := s.flows.remote()
	if raddr == "" {
		return
	}
	pool := s.ua.TransportLayer().Pool("tls")
	conn := pool.Get(raddr)
	if conn == nil {
		return
	}
	if host, _, err := net.SplitHostPort(conn.LocalAddr().String()); err == nil && host == ip {
		_, _ = conn.TryClose() // the reference Get took
		return
	}
	s.log.Info("closing the TLS connection left on a former address", "local", conn.LocalAddr().String(), "registrar", raddr)
	_, _ = conn.TryClose()
	_ = pool.CloseAndDelete(conn, raddr)
}

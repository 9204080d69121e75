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
// the same Contact: they leave on the same connection. Each account keeps its own
// (flowPorts): a call on an account advertises that account's connection.

// flowPorts is, per account (by ID: "" the default), the local port of its TLS
// connection to its registrar per local address, and the registrar's address that
// connection goes to: accounts on different registrars each advertise their own
// connection. Safe for concurrent use.
type flowPorts struct {
	mu sync.Mutex
	m  map[string]*accountFlow
}

// accountFlow is one account's TLS connection to its registrar.
type accountFlow struct {
	ports map[string]int // the local port, per local address
	raddr string         // "IP:port" of the registrar's end, as the connection pool knows it
}

func (f *flowPorts) get(id, ip string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.m[id]; a != nil {
		port, ok := a.ports[ip]
		return port, ok
	}
	return 0, false
}

func (f *flowPorts) set(id, ip string, port int, raddr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*accountFlow{}
	}
	a := f.m[id]
	if a == nil {
		a = &accountFlow{ports: map[string]int{}}
		f.m[id] = a
	}
	a.ports[ip] = port
	a.raddr = raddr
}

func (f *flowPorts) remote(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.m[id]; a != nil {
		return a.raddr
	}
	return ""
}

// forget drops the account id's flow (it was removed).
func (f *flowPorts) forget(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, id)
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
	s.flows.set(acc.ID, ip, port, raddr)
	return nil
}

// dropStrandedFlow closes acc's registration's TLS connection when it is bound to a
// local address other than ip, the one that now routes to the registrar. After a
// network change that connection is stranded on an address the machine no longer
// has: what is written to it is lost without an error until TCP gives up, minutes
// later. Closed and out of the pool, it lets the next request to the registrar (the
// REGISTER that follows the change, the re-INVITE that moves a call) open a new
// connection from ip.
func (s *Stack) dropStrandedFlow(acc Account, ip string) {
	raddr := s.flows.remote(acc.ID)
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

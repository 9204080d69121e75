package sipstack

import (
	"context"
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
// address. Safe for concurrent use.
type flowPorts struct {
	mu sync.Mutex
	m  map[string]int
}

func (f *flowPorts) get(ip string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	port, ok := f.m[ip]
	return port, ok
}

func (f *flowPorts) set(ip string, port int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]int{}
	}
	f.m[ip] = port
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
	s.flows.set(ip, port)
	return nil
}

package sipstack

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// An account on UDP or TCP whose first hop, its outbound proxy or else its server,
// is a domain name without a port is reached through DNS (resolve.go); through an
// outbound proxy so named, every request goes to the proxy's hops, with the proxy
// in Route as ever. Its registration resolves the
// domain, on its own goroutine, and tries the hops in order: one that does not
// answer (a timeout or a transport error) is left for the next, and once all
// were tried the next registration resolves again. Calls go to the hop the
// registration uses, never resolving themselves: the actor that places them never
// waits on DNS (a call placed before any registration leaves it to sipgo, on the
// call's goroutine). The transport is the account's when the domain serves it,
// else the first its NAPTR records offer; a request over UDP that would exceed
// 1,300 bytes goes over TCP when the domain offers TCP (RFC 3261 section 18.1.1).
// TLS accounts keep their server as given: the TLS flow (tlsflow.go) verifies the
// server's certificate against that name.

// largeRequest is the size beyond which a request goes over TCP when the server
// takes TCP (RFC 3261 section 18.1.1: 1,300 bytes, or within 200 bytes of the
// path MTU; Via and Contact, which sipgo adds, fit in the margin).
const largeRequest = 1300 - 200

// serverRoutes are the resolved hops of one account's server (routetable.go
// keeps them per account). Safe for concurrent use.
type serverRoutes struct {
	mu   sync.Mutex
	key  string // the server and transport rs were resolved for
	rs   routes
	tp   string    // the transport in use
	next int       // the hop in use, in rs.hops[tp]
	at   time.Time // when rs was resolved
}

const (
	// retryDNS is how long DNS that found nothing is believed before it is asked again.
	retryDNS = 30 * time.Second
	// serverLookupTimeout bounds the lookups of one resolution, all records together.
	serverLookupTimeout = 2 * dnsTimeout
)

// byDNS reports whether acc's first hop, its outbound proxy or else its server, is
// found through DNS: a domain name without a port.
func byDNS(acc Account) bool {
	if acc.transport() == "TLS" {
		return false
	}
	host, port, err := splitHostPort(dnsName(acc))
	return err == nil && port == 0 && net.ParseIP(host) == nil && host != ""
}

// dnsName is what acc's requests are sent to, as the account names it: its
// outbound proxy, through which they all go, or else its server.
func dnsName(acc Account) string {
	if acc.OutboundProxy != "" {
		return acc.OutboundProxy
	}
	return acc.Server
}

// routeKey names what serverRoutes holds for acc: its first hop and transport.
func routeKey(acc Account) string { return dnsName(acc) + " " + acc.transport() }

// resolveServer returns the hop for acc's next request, resolving its domain
// when nothing is known for it (or every hop was tried). ok is false when acc is
// not found through DNS, or DNS found nothing: sipgo then resolves as it does.
// It may wait on DNS: call it on the registration's goroutine only.
func (s *Stack) resolveServer(ctx context.Context, acc Account) (hop, bool) {
	if !byDNS(acc) {
		return hop{}, false
	}
	key := routeKey(acc)
	r := s.routes.of(acc.ID)
	r.mu.Lock()
	if r.key == key && len(r.rs.hops[r.tp]) > r.next {
		h := r.rs.hops[r.tp][r.next]
		r.mu.Unlock()
		return h, true
	}
	if r.key == key && len(r.rs.hops[r.tp]) == 0 && time.Since(r.at) < retryDNS {
		r.mu.Unlock()
		return hop{}, false // nothing found a moment ago
	}
	r.mu.Unlock()

	rctx, cancel := context.WithTimeout(ctx, serverLookupTimeout)
	defer cancel()
	host, _, _ := splitHostPort(dnsName(acc))
	rs := s.resolver.resolve(rctx, host, acc.transport())
	tp := acc.transport()
	if len(rs.hops[tp]) == 0 && len(rs.offered) > 0 && rs.offered[0] != "TLS" {
		tp = rs.offered[0]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.key, r.rs, r.tp, r.next, r.at = key, rs, tp, 0, time.Now()
	if len(rs.hops[tp]) == 0 {
		s.log.Warn("DNS found no address for the account's server", "server", dnsName(acc))
		return hop{}, false
	}
	s.log.Info("account's server resolved", "server", dnsName(acc), "transport", tp, "hops", len(rs.hops[tp]))
	return rs.hops[tp][0], true
}

// failover leaves acc's hop in use for the next. It reports false once every
// hop was tried: the next resolveServer asks DNS again.
func (s *Stack) failover(acc Account, h hop) bool {
	r := s.routes.of(acc.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	hops := r.rs.hops[r.tp]
	if r.next >= len(hops) || hops[r.next] != h {
		return r.next < len(hops) // another request moved on already
	}
	r.next++
	return r.next < len(hops)
}

// currentHop is the hop in use for acc, if its registration resolved one; it
// never waits on DNS.
func (s *Stack) currentHop(acc Account) (hop, bool) {
	if !byDNS(acc) {
		return hop{}, false
	}
	r := s.routes.of(acc.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.key != routeKey(acc) || r.next >= len(r.rs.hops[r.tp]) {
		return hop{}, false
	}
	return r.rs.hops[r.tp][r.next], true
}

// tcpHop is the first TCP hop of acc's domain, if it offers TCP.
func (s *Stack) tcpHop(acc Account) (hop, bool) {
	r := s.routes.of(acc.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.key != routeKey(acc) || len(r.rs.hops["TCP"]) == 0 {
		return hop{}, false
	}
	return r.rs.hops["TCP"][0], true
}

// routeByDNS sends req, to acc's server, to the hop in use for acc: over TCP to
// the domain's first TCP hop when req over UDP would be too large for a datagram
// and the domain takes TCP. It returns the transport req leaves on.
func (s *Stack) routeByDNS(req *sip.Request, acc Account, tp string) string {
	h, ok := s.currentHop(acc)
	if !ok {
		return tp
	}
	if h.transport == "UDP" && len(req.String()) > largeRequest {
		if t, ok := s.tcpHop(acc); ok {
			h = t
		}
	}
	req.SetDestination(h.addr)
	req.SetTransport(h.transport)
	return h.transport
}

// hopHost is the host of a hop's address.
func hopHost(h hop) string {
	host, _, _ := net.SplitHostPort(h.addr)
	return strings.Trim(host, "[]")
}

// resolvedHop is the hop in use when name is the domain an account resolved.
func (s *Stack) resolvedHop(name string) (hop, bool) {
	for _, r := range s.routes.all() {
		if h, ok := r.inUseFor(name); ok {
			return h, true
		}
	}
	return hop{}, false
}

// inUseFor is r's hop in use when r was resolved for the domain name.
func (r *serverRoutes) inUseFor(name string) (hop, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	server, _, _ := strings.Cut(r.key, " ")
	if server == "" || server != name || r.next >= len(r.rs.hops[r.tp]) {
		return hop{}, false
	}
	return r.rs.hops[r.tp][r.next], true
}

// toServer reports a request URI whose request goes to acc's first hop as found
// through DNS: any, through an outbound proxy; else one that names the server's
// domain, without a port or a transport of its own.
func toServer(acc Account, target sip.Uri) bool {
	if !byDNS(acc) {
		return false
	}
	if acc.OutboundProxy != "" {
		return true
	}
	_, hasTransport := target.UriParams.Get("transport")
	return strings.EqualFold(target.Host, acc.domain()) && target.Port == 0 && !hasTransport
}

// RFC 3263 section 4.3: a request to the account's server whose transaction failed
// at one hop (a transport error, a timeout, or a 503) is sent again to the next,
// in order: a new transaction, the same request but for its branch. A REGISTER
// (register.go), an INVITE, a MESSAGE, a SUBSCRIBE that begins a dialog and a
// PUBLISH (outofdialog.go) routed by routeByDNS to the hop in use move on; that
// hop is then left for the next by all of the account's requests (failover).

// movesOn reports whether err, the outcome of an INVITE, sends it on to the next
// hop: no answer at all (the connection failed or Timer B fired), or 503.
func movesOn(err error) bool {
	var failure *sipgo.ErrDialogResponse
	if errors.As(err, &failure) {
		return failure.Res.StatusCode == 503
	}
	return err != nil && !errors.Is(err, sipgo.WaitAnswerForceCancelErr) && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrClosed)
}

// atNextHop returns prev, a request to acc's server that failed at the hop in use,
// as it goes to the next hop: the same request with a new branch and without
// credentials, which were the failed server's. ok is false when prev did not go
// to the hop in use, or every hop was tried.
func (s *Stack) atNextHop(prev *sip.Request, acc Account) (*sip.Request, bool) {
	h, ok := s.currentHop(acc)
	if !ok || !toServer(acc, prev.Recipient) || !strings.EqualFold(prev.Transport(), h.transport) || prev.Destination() != h.addr {
		return nil, false
	}
	if !s.failover(acc, h) {
		return nil, false
	}
	next, ok := s.currentHop(acc)
	if !ok || next == h {
		return nil, false
	}
	req := sip.NewRequest(prev.Method, *prev.Recipient.Clone())
	for _, hdr := range prev.CloneHeaders() {
		switch strings.ToLower(hdr.Name()) {
		case "via", "authorization", "proxy-authorization", "content-length":
			continue
		}
		req.AppendHeader(hdr)
	}
	req.SetBody(prev.Body())
	req.SetTransport(next.transport)
	req.SetDestination(next.addr)
	s.pinLocal(req)
	s.log.Info("the account's server failed at this address; trying the next", "hop", h.addr, "next", next.addr)
	return req, true
}

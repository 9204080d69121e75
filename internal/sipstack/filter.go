package sipstack

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// The source filter keeps strangers from ringing the phone. A stack that listens beyond
// loopback serves a request only when it comes
//
//   - from loopback (a PBX or test peer on this machine: whoever can send from here
//     can already do more than ring),
//   - from an address of the account's registrar or outbound proxy (their names
//     resolved when the account is set, and every address a REGISTER was answered
//     from), or
//   - inside a dialog we are in (its Call-ID and tags are not guessable), such as the
//     BYE of a peer we called directly;
//
// or when Config.AcceptDirectCalls allows everyone. Any other INVITE is answered 403
// Forbidden, so a caller who dialled us by address learns why; any other request
// (OPTIONS probes, stray BYE or CANCEL, REGISTER, MESSAGE, ...) is dropped without an
// answer, so a scanner learns nothing.

// resolveTimeout bounds the lookup of the account's server and proxy names.
const resolveTimeout = 10 * time.Second

// guard wraps a request handler with the source filter.
func (s *Stack) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if tx != nil {
			s.branches.keep(req, tx)
		}
		if s.admits(req) {
			if !screen(req, tx) { // frontdoor_torture_screen.go
				h(req, tx)
			}
			return
		}
		s.log.Debug("request refused: not from the account's server", "method", req.Method.String(), "source", req.MessageData.Source())
		if req.IsInvite() && tx != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
		}
	}
}

// admits reports whether the source filter lets req through.
func (s *Stack) admits(req *sip.Request) bool {
	if s.cfg.AcceptDirectCalls {
		return true
	}
	ap, err := netip.ParseAddrPort(req.MessageData.Source())
	if err != nil {
		return false
	}
	return s.admitsSource(ap.Addr().Unmap()) || s.findCall(req) != nil
}

// admitsSource reports whether the filter lets through every request from src,
// whatever dialog it names.
func (s *Stack) admitsSource(src netip.Addr) bool {
	return s.cfg.AcceptDirectCalls || src.IsLoopback() || s.sources.has(src) || s.extraTrusts(src)
}

// hasCallID reports whether one of our calls has the Call-ID id; the front door
// lets a stranger's request naming it through to the dialog check of admits.
func (s *Stack) hasCallID(id string) bool {
	if id == "" {
		return false
	}
	prefix := id + sip.TxSeperator
	s.mu.Lock()
	defer s.mu.Unlock()
	for key := range s.calls {
		if strings.HasPrefix(key, prefix) {
			return true
		}
	}
	return false
}

// onUnhandled answers a method we do not serve, from an admitted source.
func (s *Stack) onUnhandled(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, 405, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	_ = tx.Respond(res)
}

// trustAccount makes acc's registrar and outbound proxy the trusted sources: their
// literal addresses at once, their names once resolved in the background.
func (s *Stack) trustAccount(acc Account) { s.trust(&s.sources, acc) }

// trust makes acc's registrar and outbound proxy the sources t trusts.
func (s *Stack) trust(t *trustedSources, acc Account) {
	gen, names := t.reset(acc)
	if len(names) == 0 {
		return
	}
	s.serving.Add(1) // the caller holds s.mu and checked s.closed
	go func() {
		defer s.serving.Done()
		ctx, cancel := context.WithTimeout(s.ctx, resolveTimeout)
		defer cancel()
		for _, name := range names {
			addrs, err := s.resolver.r.LookupNetIP(ctx, "ip", name) // sip.dnsServer when set, as the routes
			if err != nil {
				s.log.Info("account server name does not resolve", "host", name, "error", err)
				continue
			}
			t.resolved(gen, name, addrs)
		}
	}()
}

// trustedSources are the addresses of the account's registrar and outbound proxy.
type trustedSources struct {
	mu     sync.Mutex
	gen    uint64 // bumped by reset: a late lookup of an older account is ignored
	server string // the account's Server and OutboundProxy, to match what is learned
	proxy  string
	addrs  map[netip.Addr]bool
	names  map[string]netip.Addr // a resolved name's first address
}

// reset starts over for acc. It returns the generation and the names to resolve.
func (t *trustedSources) reset(acc Account) (uint64, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	t.server, t.proxy = acc.Server, acc.OutboundProxy
	t.addrs, t.names = map[netip.Addr]bool{}, map[string]netip.Addr{}
	var names []string
	for _, hp := range []string{acc.Server, acc.OutboundProxy} {
		host, _, err := splitHostPort(hp)
		if err != nil || host == "" {
			continue
		}
		if a, err := netip.ParseAddr(host); err == nil {
			t.addrs[a.Unmap()] = true
		} else {
			names = append(names, host)
		}
	}
	return t.gen, names
}

// resolved records the addresses name resolved to, unless the account changed since.
func (t *trustedSources) resolved(gen uint64, name string, addrs []netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if gen != t.gen || len(addrs) == 0 {
		return
	}
	t.names[name] = addrs[0].Unmap()
	for _, a := range addrs {
		t.addrs[a.Unmap()] = true
	}
}

// learn trusts the address (host:port) a REGISTER for acc was answered from, unless
// the account changed since.
func (t *trustedSources) learn(acc Account, source string) {
	ap, err := netip.ParseAddrPort(source)
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if acc.Server == t.server && acc.OutboundProxy == t.proxy && t.addrs != nil {
		t.addrs[ap.Addr().Unmap()] = true
	}
}

// has reports whether a is a trusted source.
func (t *trustedSources) has(a netip.Addr) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addrs[a]
}

// addrOf is the address a resolved name of the account stands for, or nil.
func (t *trustedSources) addrOf(name string) net.IP {
	t.mu.Lock()
	defer t.mu.Unlock()
	if a, ok := t.names[name]; ok {
		return net.IP(a.AsSlice())
	}
	return nil
}

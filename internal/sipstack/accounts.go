package sipstack

import (
	"context"
	"net/netip"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// Several accounts. The account SetAccount sets is the default: its registration,
// its trusted sources and its calls are as they were before there could be more.
// SetAccount with an Account.ID sets another account beside it, with a registration
// loop, a binding (Call-ID, CSeq) and trusted sources of its own; its REGISTERs,
// and the INVITEs dialled from it (DialOptions.Account), use its server, transport,
// proxy and identity. Its Contact carries the parameter accountParam naming its
// id, which a registrar puts in the Request-URI of the calls it sends to that
// binding: an incoming call is matched to its account by that parameter, else by
// the Request-URI's user, else by the To header's user, else it is the default
// account's (accountFor).
//
// Each account also keeps its own DNS routes, when its server is found through
// DNS (routes.go, routetable.go), and its own TLS flow (tlsflow.go: the local port
// its Contacts name, the connection dropped after a network change): a call on an
// account goes to that account's hop and advertises its connection.

// accountParam is the Contact URI parameter that names an account other than the
// default in its bindings.
const accountParam = "wpa"

// extraAccount is an account other than the default, as the stack keeps it.
type extraAccount struct {
	acc     Account
	reg     *regLoop
	sess    *regSession
	sources *trustedSources
}

// setExtra sets or replaces the account acc.ID. The caller holds s.mu and checked
// s.closed.
func (s *Stack) setExtra(acc Account) {
	if s.extras == nil {
		s.extras = map[string]*extraAccount{}
	}
	x := s.extras[acc.ID]
	if x == nil {
		x = &extraAccount{sources: &trustedSources{}}
		s.extras[acc.ID] = x
	}
	x.acc = acc
	s.trust(x.sources, acc)
}

// RemoveAccount stops the registration of the account with id and forgets it,
// without unregistering (Unregister first for that). The default account stays.
func (s *Stack) RemoveAccount(id string) {
	s.stopRegLoopOf(id)
	s.routes.forget(id)
	s.flows.forget(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.extras, id)
}

// accountByID returns the account with id: the default for "".
func (s *Stack) accountByID(id string) (Account, bool) {
	if id == "" {
		return s.account()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.extras[id]; x != nil {
		return x.acc, true
	}
	return Account{}, false
}

// regState is the registration loop and binding of the account with id. The
// caller holds s.mu; ok is false for an id the stack does not know.
func (s *Stack) regState(id string) (loop **regLoop, sess **regSession, ok bool) {
	if id == "" {
		return &s.reg, &s.regSess, true
	}
	if x := s.extras[id]; x != nil {
		return &x.reg, &x.sess, true
	}
	return nil, nil, false
}

// sourcesOf is the trusted sources of acc.
func (s *Stack) sourcesOf(acc Account) *trustedSources {
	if acc.ID == "" {
		return &s.sources
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.extras[acc.ID]; x != nil {
		return x.sources
	}
	return &trustedSources{} // removed meanwhile: what it learns goes nowhere
}

// extraTrusts reports whether src is a trusted source of an account other than the
// default.
func (s *Stack) extraTrusts(src netip.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.extras {
		if x.sources.has(src) {
			return true
		}
	}
	return false
}

// regContact is the Contact of acc's REGISTERs at ip: the default account's as it
// always was, another's with its id as accountParam.
func (s *Stack) regContact(acc Account, transport, ip string) sip.ContactHeader {
	c := s.contact(acc.ID, transport, acc.Username, ip)
	if acc.ID != "" {
		c.Address.UriParams = c.Address.UriParams.Clone()
		c.Address.UriParams.Add(accountParam, acc.ID)
	}
	return c
}

// accountFor is the account an incoming INVITE is for (see the top of this file).
func (s *Stack) accountFor(req *sip.Request) (Account, bool) {
	def, hasDef := s.account()
	s.mu.Lock()
	extras := make([]Account, 0, len(s.extras))
	for _, x := range s.extras {
		extras = append(extras, x.acc)
	}
	s.mu.Unlock()
	to := ""
	if h := req.To(); h != nil {
		to = h.Address.User
	}
	return matchAccount(req.Recipient, to, def, hasDef, extras)
}

// matchAccount picks, among the default account def (when hasDef) and extras, the
// one a request to ruri with To user to is for.
func matchAccount(ruri sip.Uri, to string, def Account, hasDef bool, extras []Account) (Account, bool) {
	if id, ok := ruri.UriParams.Get(accountParam); ok {
		for _, a := range extras {
			if a.ID == id {
				return a, true
			}
		}
	}
	for _, user := range []string{ruri.User, to} {
		if hasDef && strings.EqualFold(user, def.Username) {
			return def, true
		}
		for _, a := range extras {
			if strings.EqualFold(user, a.Username) {
				return a, true
			}
		}
	}
	return def, hasDef
}

// stopExtraLoops stops every registration loop of the accounts other than the
// default and returns those that were registering, for Close to unregister.
func (s *Stack) stopExtraLoops() []Account {
	s.mu.Lock()
	var ids []string
	var registered []Account
	for id, x := range s.extras {
		if x.reg != nil {
			ids = append(ids, id)
			registered = append(registered, x.acc)
		}
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.stopRegLoopOf(id)
	}
	return registered
}

// unregisterExtras sends each of accs, at once, its REGISTER with Expires: 0, and
// waits for the answers or ctx.
func (s *Stack) unregisterExtras(ctx context.Context, accs []Account) {
	var wg sync.WaitGroup
	for _, acc := range accs {
		wg.Go(func() {
			if err := s.UnregisterAccount(ctx, acc.ID); err != nil {
				s.log.Warn("unregister on close failed", "account", acc.ID, "error", err)
			}
		})
	}
	wg.Wait()
}

// LocalIPForAccount is LocalIPFor for a call from the account with id ("" the
// default): the address that routes to its outbound proxy, if it has one, else to
// target's host.
func (s *Stack) LocalIPForAccount(id, target string) string {
	acc, hasAcc := s.accountByID(id)
	u, err := parseURI(strings.Trim(target, " \t"))
	if err != nil {
		return s.localIP(acc.domain())
	}
	return s.localIP(firstHop(acc, hasAcc, u))
}

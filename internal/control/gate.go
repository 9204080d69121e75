package control

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/origin"
	"github.com/wpservice/wpservice/internal/pairing"
)

// maxUnauthenticated caps the connections from origins that must pair and have not
// authenticated yet, waiting ones included: a page cannot pile them up, and our own
// page and provisioned origins are never crowded out by them.
const maxUnauthenticated = 32

// gate is the server-wide side of pairing: the store, the connections waiting for
// the user's decision, the live connections a pairing admitted, and the cap on
// unauthenticated connections. Its tables are keyed by origin.Origin, so a page is
// found under any spelling of its origin. Each store operation and the table change
// that goes with it happen under one lock: an approval cannot slip between a
// request and the filing of its connection, nor a revocation between a token check
// and the filing of the connection it admits.
type gate struct {
	store       *pairing.Store // nil: user pairing is off
	provisioned map[origin.Origin]string
	notify      func(event string, data any)

	mu      sync.Mutex
	waiting map[origin.Origin]map[*conn]struct{} // connections waiting for approval
	paired  map[origin.Origin]map[*conn]struct{} // connections admitted by a pairing
	unauth  int                                  // connections not authenticated yet
}

func newGate(store *pairing.Store, provisioned map[origin.Origin]string, notify func(string, any)) *gate {
	return &gate{
		store: store, provisioned: provisioned, notify: notify,
		waiting: map[origin.Origin]map[*conn]struct{}{},
		paired:  map[origin.Origin]map[*conn]struct{}{},
	}
}

// admit counts a new unauthenticated connection, unless there are too many.
func (g *gate) admit() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.unauth >= maxUnauthenticated {
		return false
	}
	g.unauth++
	return true
}

// release gives back the slot admit took, once the connection is admitted or gone.
func (g *gate) release() {
	g.mu.Lock()
	g.unauth--
	g.mu.Unlock()
}

// request records a pairing request for c's origin, asking for want (control or
// account), and files c as waiting for it. Like check, it serves connections that
// must pair, which the guard lets in only when user pairing is on: g.store is set.
func (g *gate) request(c *conn, want string) (pairing.Request, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, err := g.store.RequestFor(c.id.origin.String(), want)
	if err == nil {
		add(g.waiting, c.id.origin, c)
	}
	return r, err
}

// requestMore records the request of c's paired origin for the permission want; the
// user answers it like a pairing request, and c with the origin's other connections
// learns the answer in a permission event.
func (g *gate) requestMore(c *conn, want string) (api.PairingRequest, error) {
	g.mu.Lock()
	r, err := g.store.RequestMore(c.id.origin.String(), want)
	g.mu.Unlock()
	if err != nil {
		return api.PairingRequest{}, err
	}
	g.changed()
	return g.pendingRequest(r), nil
}

// check checks c's token and, when it is good, files c as admitted by its pairing
// and returns the pairing's permission.
func (g *gate) check(c *conn, token string) (level, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	o := c.id.origin.String()
	if err := g.store.Check(o, token); err != nil {
		return levelNone, err
	}
	add(g.paired, c.id.origin, c)
	return levelOf(g.store.Granted(o)), nil
}

// forget drops an ended connection from every table.
func (g *gate) forget(c *conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	remove(g.waiting, c.id.origin, c)
	remove(g.paired, c.id.origin, c)
}

// approve answers origin's request granting perm (control or account). A request for
// pairing hands the token to the connections waiting for it, which are from then on
// connections admitted by the pairing; the connections the pairing admitted before
// learn their permission now, whether the request asked for more or not.
func (g *gate) approve(s, perm string) error {
	o, err := g.parse(s)
	if err != nil {
		return err
	}
	g.mu.Lock()
	asked := g.asked(o)
	token, err := g.store.ApproveWith(o.String(), perm)
	grant := levelOf(g.store.Granted(o.String()))
	var waiting, live []*conn
	if err == nil {
		live = slices.Collect(maps.Keys(g.paired[o]))
		if token != "" {
			waiting = take(g.waiting, o)
		}
		for _, c := range waiting {
			add(g.paired, o, c)
		}
	}
	g.mu.Unlock()
	if err != nil {
		return err
	}
	for _, c := range waiting {
		c.approved(token, grant)
	}
	for _, c := range live {
		c.granted(grant, asked)
	}
	g.changed()
	return nil
}

// deny refuses origin's request and closes the connections waiting for it; the
// connections of a paired origin that asked for more keep what they had and are told.
func (g *gate) deny(s string) error {
	o, err := g.parse(s)
	if err != nil {
		return err
	}
	g.mu.Lock()
	asked := g.asked(o)
	grant := levelOf(g.store.Granted(o.String()))
	live := slices.Collect(maps.Keys(g.paired[o]))
	g.mu.Unlock()
	if err := g.refuse(s, (*pairing.Store).Deny, g.waiting, reasonDenied); err != nil {
		return err
	}
	if asked != "" && grant != levelNone {
		for _, c := range live {
			c.granted(grant, asked)
		}
	}
	return nil
}

// asked is the permission origin's pending request asks for, "" when none is pending.
// Caller holds g.mu.
func (g *gate) asked(o origin.Origin) string {
	for _, r := range g.store.Pending() {
		if r.Origin == o.String() {
			return r.Permission
		}
	}
	return ""
}

// revoke unpairs origin and closes the connections its token admitted.
func (g *gate) revoke(s string) error {
	return g.refuse(s, (*pairing.Store).Revoke, g.paired, reasonRevoked)
}

// refuse runs a store operation that ends origin's connections in table.
func (g *gate) refuse(s string, op func(*pairing.Store, string) error,
	table map[origin.Origin]map[*conn]struct{}, reason string) error {
	o, err := g.parse(s)
	if err != nil {
		return err
	}
	g.mu.Lock()
	err = op(g.store, o.String())
	var conns []*conn
	if err == nil {
		conns = take(table, o)
	}
	g.mu.Unlock()
	if err != nil {
		return err
	}
	for _, c := range conns {
		c.closeAfterQueued(websocket.ClosePolicyViolation, reason)
	}
	g.changed()
	return nil
}

// parse parses an origin given to pair.approve, pair.deny or pair.revoke.
func (g *gate) parse(s string) (origin.Origin, error) {
	if g.store == nil {
		return origin.Origin{}, errPairingOff
	}
	o, err := origin.Parse(s)
	if err != nil {
		return origin.Origin{}, pairing.ErrBadOrigin
	}
	return o, nil
}

func add(m map[origin.Origin]map[*conn]struct{}, o origin.Origin, c *conn) {
	if m[o] == nil {
		m[o] = map[*conn]struct{}{}
	}
	m[o][c] = struct{}{}
}

func remove(m map[origin.Origin]map[*conn]struct{}, o origin.Origin, c *conn) {
	delete(m[o], c)
	if len(m[o]) == 0 {
		delete(m, o)
	}
}

// take removes and returns the connections of o in m. Caller holds g.mu.
func take(m map[origin.Origin]map[*conn]struct{}, o origin.Origin) []*conn {
	conns := slices.Collect(maps.Keys(m[o]))
	delete(m, o)
	return conns
}

// list is the pairing state for pair.list and pair.changed.
func (g *gate) list() api.PairingList {
	l := api.PairingList{
		Enabled: g.store != nil,
		Pending: []api.PairingRequest{}, Paired: []api.PairedOrigin{}, Provisioned: []api.ProvisionedOrigin{},
	}
	byText := func(a, b origin.Origin) int { return cmp.Compare(a.String(), b.String()) }
	for _, o := range slices.SortedFunc(maps.Keys(g.provisioned), byText) {
		l.Provisioned = append(l.Provisioned, api.ProvisionedOrigin{Origin: o.String(), Permission: g.provisioned[o]})
	}
	if g.store == nil {
		return l
	}
	for _, r := range g.store.Pending() {
		l.Pending = append(l.Pending, g.pendingRequest(r))
	}
	for _, p := range g.store.Paired() {
		l.Paired = append(l.Paired, api.PairedOrigin{Origin: p.Origin, Approved: rfc3339(p.Approved), Permission: p.Permission})
	}
	return l
}

// pendingRequest is r as the wire shows it.
func (g *gate) pendingRequest(r pairing.Request) api.PairingRequest {
	return api.PairingRequest{
		ID: r.ID, Origin: r.Origin, Time: rfc3339(r.Created), Expires: rfc3339(g.store.Expires(r)),
		Permission: r.Permission, Paired: r.Raise,
	}
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// changed publishes pair.changed.
func (g *gate) changed() {
	if g.notify != nil {
		g.notify(api.EvPairChanged, g.list())
	}
}

var errPairingOff = api.Sentinel("user pairing is switched off in the config", api.ErrInvalidState)

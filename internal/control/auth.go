package control

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

const (
	// maxAuthAttempts is how many auth messages with a wrong token one connection
	// may send before it is closed (failures are also rate-limited per origin).
	maxAuthAttempts = 3
	// maxUnauthenticated caps the connections from origins that must pair and have
	// not authenticated yet, waiting ones included: a page cannot pile them up, and
	// our own page and provisioned origins are never crowded out by them.
	maxUnauthenticated = 32
)

// Close reasons sent with 1008 (policy violation).
const (
	reasonAuthTimeout = "authentication timeout"
	reasonAuthFirst   = "first message must be auth"
	reasonAuthFailed  = "authentication failed"
	reasonDenied      = "pairing denied"
	reasonExpired     = "pairing request expired"
	reasonRevoked     = "pairing revoked"
	reasonPairingOff  = "origin not approved"
)

// gate holds the pairing side of the server: which connections wait for the user's
// decision, which live connections were admitted by a pairing token, and the store.
type gate struct {
	store       *pairing.Store // nil: user pairing is off
	provisioned map[string]string
	notify      func(event string, data any)

	mu      sync.Mutex
	waiting map[string]map[*conn]struct{} // origin -> connections waiting for approval
	paired  map[string]map[*conn]struct{} // origin -> connections admitted by its token
	unauth  int                           // connections not authenticated yet
}

func newGate(store *pairing.Store, provisioned map[string]string, notify func(string, any)) *gate {
	return &gate{
		store: store, provisioned: provisioned, notify: notify,
		waiting: map[string]map[*conn]struct{}{},
		paired:  map[string]map[*conn]struct{}{},
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

func add(m map[string]map[*conn]struct{}, origin string, c *conn) {
	if m[origin] == nil {
		m[origin] = map[*conn]struct{}{}
	}
	m[origin][c] = struct{}{}
}

func remove(m map[string]map[*conn]struct{}, origin string, c *conn) {
	delete(m[origin], c)
	if len(m[origin]) == 0 {
		delete(m, origin)
	}
}

func (g *gate) wait(c *conn) {
	g.mu.Lock()
	add(g.waiting, c.id.origin, c)
	g.mu.Unlock()
}

func (g *gate) admitPaired(c *conn) {
	g.mu.Lock()
	add(g.paired, c.id.origin, c)
	g.mu.Unlock()
}

// forget drops an ended connection from every table.
func (g *gate) forget(c *conn, wasAuthed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	remove(g.waiting, c.id.origin, c)
	remove(g.paired, c.id.origin, c)
	if !wasAuthed {
		g.unauth--
	}
}

// take removes and returns the connections of origin in m.
func (g *gate) take(m map[string]map[*conn]struct{}, origin string) []*conn {
	g.mu.Lock()
	defer g.mu.Unlock()
	conns := slices.Collect(maps.Keys(m[origin]))
	delete(m, origin)
	return conns
}

// list is the pairing state for pair.list and pair.changed.
func (g *gate) list() api.PairingList {
	l := api.PairingList{
		Enabled: g.store != nil,
		Pending: []api.PairingRequest{}, Paired: []api.PairedOrigin{}, Provisioned: []api.ProvisionedOrigin{},
	}
	for _, o := range slices.Sorted(maps.Keys(g.provisioned)) {
		l.Provisioned = append(l.Provisioned, api.ProvisionedOrigin{Origin: o, Permission: g.provisioned[o]})
	}
	if g.store == nil {
		return l
	}
	for _, r := range g.store.Pending() {
		l.Pending = append(l.Pending, g.request(r))
	}
	for _, p := range g.store.Paired() {
		l.Paired = append(l.Paired, api.PairedOrigin{Origin: p.Origin, Approved: rfc3339(p.Approved)})
	}
	return l
}

func (g *gate) request(r pairing.Request) api.PairingRequest {
	return api.PairingRequest{
		ID: r.ID, Origin: r.Origin, Time: rfc3339(r.Created), Expires: rfc3339(g.store.Expires(r)),
	}
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (g *gate) changed() {
	if g.notify != nil {
		g.notify(api.EvPairChanged, g.list())
	}
}

// approve pairs origin and hands the token to the connections waiting for it.
func (g *gate) approve(origin string) error {
	if g.store == nil {
		return errPairingOff
	}
	token, err := g.store.Approve(origin)
	if err != nil {
		return pairingError(err)
	}
	n, _ := pairing.NormalizeOrigin(origin)
	for _, c := range g.take(g.waiting, n) {
		c.approved(token)
	}
	g.changed()
	return nil
}

// deny refuses origin's request and closes the connections waiting for it.
func (g *gate) deny(origin string) error {
	if g.store == nil {
		return errPairingOff
	}
	if err := g.store.Deny(origin); err != nil {
		return pairingError(err)
	}
	n, _ := pairing.NormalizeOrigin(origin)
	for _, c := range g.take(g.waiting, n) {
		c.closeAfterQueued(websocket.ClosePolicyViolation, reasonDenied)
	}
	g.changed()
	return nil
}

// revoke unpairs origin and closes the connections its token admitted.
func (g *gate) revoke(origin string) error {
	if g.store == nil {
		return errPairingOff
	}
	if err := g.store.Revoke(origin); err != nil {
		return pairingError(err)
	}
	n, _ := pairing.NormalizeOrigin(origin)
	for _, c := range g.take(g.paired, n) {
		c.closeAfterQueued(websocket.ClosePolicyViolation, reasonRevoked)
	}
	g.changed()
	return nil
}

var errPairingOff = api.NewError(api.CodeInvalidState, "user pairing is switched off in the config")

// pairingError maps the pairing store's errors to wire errors.
func pairingError(err error) *api.Error {
	switch {
	case errors.Is(err, pairing.ErrBadOrigin):
		return api.NewError(api.CodeInvalidArgs, "origin must be scheme://host[:port]")
	case errors.Is(err, pairing.ErrNoPending):
		return api.NewError(api.CodeNotFound, "no pending pairing request for that origin")
	case errors.Is(err, pairing.ErrNotPaired):
		return api.NewError(api.CodeNotFound, "that origin is not paired")
	case errors.Is(err, pairing.ErrBadToken):
		return api.NewError(api.CodeUnauthorized, "token not valid for this origin; send auth without a token to ask the user again")
	case errors.Is(err, pairing.ErrRateLimited):
		return api.NewError(api.CodeRateLimited, "too many failed attempts from this origin; try again in a minute")
	case errors.Is(err, pairing.ErrCoolingDown):
		return api.NewError(api.CodeRateLimited, "the user denied this origin recently; try again later")
	case errors.Is(err, pairing.ErrTooManyRequests):
		return api.NewError(api.CodeRateLimited, "too many pairing requests; try again later")
	}
	return api.NewError(api.CodeInternal, "pairing: "+err.Error())
}

// authState is where a connection stands with authentication.
type authState int

const (
	stateNew     authState = iota // waiting for the first message, auth
	stateWaiting                  // asked the user for pairing, waiting for the answer
	stateAuthed                   // admitted: hello sent, commands run
	stateEnded                    // the connection is over
)

// authenticate runs an auth command in any state.
func (c *conn) authenticate(id string, args *api.AuthArgs) api.Response {
	c.authMu.Lock()
	state := c.state
	c.authMu.Unlock()
	if state == stateAuthed {
		return api.OK(id, c.authResult())
	}
	if !c.id.pair { // our own page or a provisioned origin: no token needed
		return c.admitted(id, levelOf(c.id.perm))
	}
	if args.Token != "" {
		return c.checkToken(id, args.Token)
	}
	if state == stateWaiting {
		return api.Fail(id, c.pairingRequired())
	}
	if c.gate.store == nil {
		c.closeAfterReply(reasonPairingOff)
		return api.Fail(id, api.NewError(api.CodeForbidden, "origin not approved"))
	}
	return c.requestPairing(id)
}

func (c *conn) checkToken(id, token string) api.Response {
	err := c.gate.store.Check(c.id.origin, token)
	if err == nil {
		c.gate.admitPaired(c)
		return c.admitted(id, levelControl)
	}
	c.authMu.Lock()
	c.attempts++
	tooMany := c.attempts >= maxAuthAttempts
	c.authMu.Unlock()
	if tooMany || errors.Is(err, pairing.ErrRateLimited) {
		c.closeAfterReply(reasonAuthFailed)
	}
	c.log.Info("pairing token refused", "origin", c.id.origin, "err", err)
	return api.Fail(id, pairingError(err))
}

func (c *conn) requestPairing(id string) api.Response {
	r, err := c.gate.store.Request(c.id.origin)
	if err != nil {
		c.closeAfterReply(reasonAuthFailed)
		return api.Fail(id, pairingError(err))
	}
	req := c.gate.request(r)
	c.authMu.Lock()
	if c.state == stateNew {
		c.state = stateWaiting
		c.pending = req
		c.authTimer.Reset(max(time.Until(c.gate.store.Expires(r)), 0))
	}
	c.authMu.Unlock()
	c.gate.wait(c)
	c.log.Info("pairing requested", "origin", c.id.origin, "request", r.ID)
	c.gate.changed()
	return api.Fail(id, c.pairingRequired())
}

func (c *conn) pairingRequired() *api.Error {
	c.authMu.Lock()
	req := c.pending
	c.authMu.Unlock()
	e := api.NewError(api.CodePairingRequired,
		fmt.Sprintf("approve %s on the engine's page or with: wpservice pair approve %s", c.id.origin, c.id.origin))
	e.Data = req
	return e
}

func (c *conn) authResult() api.AuthResult {
	return api.AuthResult{Origin: c.id.origin, Permission: level(c.level.Load()).String()}
}

// admitted answers a successful auth; the hello snapshot follows the response.
func (c *conn) admitted(id string, lvl level) api.Response {
	c.afterReply = func() { c.startEvents(lvl) }
	return api.OK(id, api.AuthResult{Origin: c.id.origin, Permission: lvl.String()})
}

// unauthenticated answers any command but auth before the connection is admitted:
// waiting connections are reminded of their request; on a new connection a first
// message that is not auth ends it (1008).
func (c *conn) unauthenticated(id string) api.Response {
	c.authMu.Lock()
	state := c.state
	c.authMu.Unlock()
	if state == stateWaiting {
		return api.Fail(id, c.pairingRequired())
	}
	c.closeAfterReply(reasonAuthFirst)
	return api.Fail(id, api.NewError(api.CodeUnauthorized, "the first message must be auth"))
}

// closeAfterReply closes the connection (1008) once the response being prepared by
// the read pump has been written.
func (c *conn) closeAfterReply(reason string) {
	c.afterReply = func() { c.closeAfterQueued(websocket.ClosePolicyViolation, reason) }
}

// approved hands a waiting connection its token, then admits it.
func (c *conn) approved(token string) {
	c.authMu.Lock()
	ok := c.state == stateWaiting
	c.authMu.Unlock()
	if !ok {
		return
	}
	c.queue(localEvent{api.Event{Event: api.EvPaired, Data: api.Paired{
		Origin: c.id.origin, Token: token, Permission: api.PermControl,
	}}})
	c.gate.admitPaired(c)
	c.startEvents(levelControl)
}

// authExpired runs when the auth timer fires: no auth within the deadline, or the
// pairing request lapsed unanswered.
func (c *conn) authExpired() {
	c.authMu.Lock()
	state := c.state
	c.authMu.Unlock()
	switch state {
	case stateNew:
		c.closeWith(websocket.ClosePolicyViolation, reasonAuthTimeout)
	case stateWaiting:
		c.closeWith(websocket.ClosePolicyViolation, reasonExpired)
		c.gate.changed()
	}
}

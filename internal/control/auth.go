package control

import (
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

// Close reasons sent with 1008 (policy violation).
const (
	reasonAuthTimeout = "authentication timeout"
	reasonAuthFirst   = "first message must be auth"
	reasonAuthFailed  = "authentication failed"
	reasonDenied      = "pairing denied"
	reasonExpired     = "pairing request expired"
	reasonRevoked     = "pairing revoked"
)

// authEvent is one input to the authentication machine with what its actions need:
// the request id to answer, the token to check or hand over, the gate's refusal.
type authEvent struct {
	in    authInput
	id    string // the client message's id, for the reply
	token string // inAuthToken: to check; inApproved: to send
	err   error  // inTokenBad, inTokenBlocked, inNotFiled: why
	want  string // inAuth: the permission a pairing request asks for
	grant level  // inTokenGood, inApproved: the pairing's permission

	request api.PairingRequest // inFiled: the pending request
	expires time.Time          // inFiled: when it lapses
}

// initialAuth is where a connection with identity id starts.
func initialAuth(id identity) authState {
	switch {
	case id.authed:
		return authState{phase: phAdmitted, perm: levelOf(id.perm)}
	case id.pair:
		return authState{phase: phNew}
	}
	return authState{phase: phOpen, perm: levelOf(id.perm)}
}

// authenticate answers an auth message.
func (c *conn) authenticate(id string, args *api.AuthArgs) api.Response {
	switch args.Permission {
	case "", api.PermControl, api.PermAccount:
	default:
		return api.Fail(id, WireError(api.BadArg("permission", "must be control or account")))
	}
	if args.Token != "" {
		return c.runAuth(authEvent{in: inAuthToken, id: id, token: args.Token})
	}
	return c.runAuth(authEvent{in: inAuth, id: id, want: args.Permission})
}

// unauthenticated answers any other message before the connection is admitted:
// waiting connections are reminded of their request; on a new connection a first
// message that is not auth ends it (1008).
func (c *conn) unauthenticated(id string) api.Response {
	return c.runAuth(authEvent{in: inCommand, id: id})
}

// approved hands a waiting connection its token, then admits it with grant.
func (c *conn) approved(token string, grant level) {
	c.runAuth(authEvent{in: inApproved, token: token, grant: grant})
}

// granted changes the permission of a connection its pairing admitted, after the user
// answered the site's pair.request, and tells the page (asked: what the site asked for).
func (c *conn) granted(grant level, asked string) {
	c.authMu.Lock()
	admitted := c.auth.phase == phAdmitted
	if admitted {
		c.auth.perm = grant
		c.level.Store(int32(grant))
	}
	c.authMu.Unlock()
	if !admitted {
		return
	}
	c.queue(localEvent{api.Event{Event: api.EvPermission, Data: api.Permission{
		Origin: c.id.origin.String(), Permission: grant.String(), Asked: asked,
	}}})
}

// authExpired runs when the auth timer fires: no auth within the deadline, or the
// pairing request lapsed unanswered.
func (c *conn) authExpired() { c.runAuth(authEvent{in: inDeadline}) }

// runAuth feeds ev to the machine and applies the actions; the outcome of a gate
// operation is fed in turn. It returns the reply to the client's message, if any;
// the actions listed after the reply run once the read pump has queued it.
func (c *conn) runAuth(ev authEvent) api.Response {
	var resp api.Response
	for {
		acts, state, err := c.stepAuth(ev)
		if err != nil {
			c.log.Error("authentication machine", "state", state, "input", ev.in, "err", err)
			return api.Fail(ev.id, api.NewError(api.CodeInternal, "authentication: unexpected "+ev.in.String()))
		}
		var outcome *authEvent
		for i, a := range acts {
			switch {
			case a.isReply():
				resp = c.authReply(a, ev, state)
				if later := acts[i+1:]; len(later) > 0 {
					c.afterReply = func() { c.applyAll(later, ev, state) }
				}
				return resp
			case a == actCheckToken:
				outcome = c.checkToken(ev)
			case a == actRequestPairing:
				outcome = c.requestPairing(ev)
			default:
				c.apply(a, ev, state)
			}
		}
		if outcome == nil {
			return resp
		}
		ev = *outcome
	}
}

// stepAuth runs one step under authMu and commits the next state; the inputs of
// the read pump, the timer and the gate are so serialised, and every decision is
// made on the current state. The machine admits a pairing with control; the
// permission the pairing holds, which the gate read with the token or the
// approval, replaces it.
func (c *conn) stepAuth(ev authEvent) ([]authAction, authState, error) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	next, acts, err := authStep(c.auth, ev.in)
	if err != nil {
		return nil, c.auth, err
	}
	if (ev.in == inTokenGood || ev.in == inApproved) && ev.grant != levelNone &&
		c.auth.phase != phAdmitted && next.phase == phAdmitted {
		next.perm = ev.grant
	}
	c.auth = next
	return acts, next, nil
}

// applyAll performs acts in order.
func (c *conn) applyAll(acts []authAction, ev authEvent, s authState) {
	for _, a := range acts {
		c.apply(a, ev, s)
	}
}

// authReply builds the response of a reply action.
func (c *conn) authReply(a authAction, ev authEvent, s authState) api.Response {
	switch a {
	case actReplyAdmitted:
		return api.OK(ev.id, api.AuthResult{Origin: c.id.origin.String(), Permission: s.perm.String()})
	case actReplyPairingRequired:
		return api.Fail(ev.id, c.pairingRequired())
	case actReplyAuthFirst:
		return api.Fail(ev.id, api.NewError(api.CodeUnauthorized, "the first message must be auth"))
	case actReplyRefused:
		return api.Fail(ev.id, WireError(ev.err))
	}
	return api.Fail(ev.id, api.NewError(api.CodeUnauthorized, "the connection is closing"))
}

// apply performs one action other than a reply or a gate operation.
func (c *conn) apply(a authAction, ev authEvent, s authState) {
	switch a {
	case actSendPaired:
		c.queue(localEvent{api.Event{Event: api.EvPaired, Data: api.Paired{
			Origin: c.id.origin.String(), Token: ev.token, Permission: s.perm.String(),
		}}})
	case actAdmit:
		c.startEvents(s.perm)
	case actArmExpiry:
		c.authMu.Lock()
		c.pending = ev.request
		c.authTimer.Reset(max(time.Until(ev.expires), 0))
		c.authMu.Unlock()
	case actStopTimer:
		c.authMu.Lock()
		if c.authTimer != nil {
			c.authTimer.Stop()
		}
		c.authMu.Unlock()
	case actRelease:
		c.gate.release()
	case actNotifyChanged:
		c.gate.changed()
	case actUnwatch:
		c.stopEvents()
	case actForget:
		c.gate.forget(c)
	case actCloseAuthFirst:
		c.closeAfterQueued(websocket.ClosePolicyViolation, reasonAuthFirst)
	case actCloseFailed:
		c.closeAfterQueued(websocket.ClosePolicyViolation, reasonAuthFailed)
	case actCloseTimeout:
		c.closeAfterQueued(websocket.ClosePolicyViolation, reasonAuthTimeout)
	case actCloseExpired:
		c.closeAfterQueued(websocket.ClosePolicyViolation, reasonExpired)
	}
}

// checkToken asks the gate about a token; the outcome is the next input.
func (c *conn) checkToken(ev authEvent) *authEvent {
	grant, err := c.gate.check(c, ev.token)
	out := &authEvent{in: inTokenGood, id: ev.id, err: err, grant: grant}
	switch {
	case errors.Is(err, pairing.ErrRateLimited):
		out.in = inTokenBlocked
	case err != nil:
		out.in = inTokenBad
	}
	if err != nil {
		c.log.Info("pairing token refused", "origin", c.id.origin.String(), "err", err)
	}
	return out
}

// requestPairing asks the gate for a pairing request; the outcome is the next input.
func (c *conn) requestPairing(ev authEvent) *authEvent {
	r, err := c.gate.request(c, ev.want)
	if err != nil {
		return &authEvent{in: inNotFiled, id: ev.id, err: err}
	}
	c.log.Info("pairing requested", "origin", c.id.origin.String(), "request", r.ID)
	return &authEvent{in: inFiled, id: ev.id, request: c.gate.pendingRequest(r), expires: c.gate.store.Expires(r)}
}

// pairingRequired is the error that tells a waiting page how it gets in.
func (c *conn) pairingRequired() *api.Error {
	c.authMu.Lock()
	req := c.pending
	c.authMu.Unlock()
	o := c.id.origin.String()
	e := api.NewError(api.CodePairingRequired,
		fmt.Sprintf("approve %s on the engine's page or with: wpservice pair approve %s", o, o))
	e.Data = req
	return e
}

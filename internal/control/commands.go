package control

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

// handle decodes one client message, runs it and returns the encoded response.
// Exactly one response comes back for every message, whatever went wrong.
func (c *conn) handle(msg []byte) []byte {
	var resp api.Response
	if req, failure := decodeRequest(c.commands, msg); failure != nil {
		resp = api.Fail(req.ID, failure)
		if level(c.level.Load()) == levelNone {
			_ = c.unauthenticated(req.ID) // a bad first message ends the connection
		}
	} else {
		resp = c.run(req)
	}
	data, err := json.Marshal(resp)
	if err != nil {
		c.log.Error("result not encodable", "id", resp.ID, "err", err)
		data, _ = json.Marshal(api.Fail(resp.ID, api.NewError(api.CodeInternal, "result not encodable")))
	}
	return data
}

// run executes a decoded command once the connection may: auth needs nothing, every
// other command an authenticated connection with enough permission.
func (c *conn) run(req request) api.Response {
	r := c.commands[req.Cmd]
	lvl := level(c.level.Load())
	if r.spec.Perm != "" {
		if lvl == levelNone {
			return c.unauthenticated(req.ID)
		}
		if err := permit(r.spec, req.Args, lvl); err != nil {
			return api.Fail(req.ID, err)
		}
	}
	resp := r.serve(c, c.ctx, req.ID, req.Args)
	if !resp.OK {
		c.log.Debug("command failed", "cmd", req.Cmd, "err", resp.Error)
	}
	return resp
}

// subscribe runs events.subscribe: it switches this connection's opt-in events.
func (c *conn) subscribe(sub *api.SubscribeArgs) (api.SubscribeArgs, error) {
	if n := sub.StatsInterval; n != 0 && (n < api.MinStatsInterval || n > api.MaxStatsInterval) {
		return api.SubscribeArgs{}, api.BadArg("statsInterval", fmt.Sprintf("must be 0 or %d to %d seconds", api.MinStatsInterval, api.MaxStatsInterval))
	}
	c.watchStats(time.Duration(sub.StatsInterval) * time.Second)
	c.wantLog.Store(sub.Log)
	c.wantTrace.Store(sub.SIPTrace)
	c.wantLevels.Store(sub.Levels)
	c.watchLevels(sub.Levels)
	return *sub, nil
}

// pairCommand returns the handler of pair.approve, pair.deny or pair.revoke, which
// apply op to the origin named in the args.
func pairCommand(op func(g *gate, origin string) error, done string) func(c *conn, a *api.OriginArgs) (api.Empty, error) {
	return func(c *conn, a *api.OriginArgs) (api.Empty, error) {
		if a.Origin == "" {
			return api.Empty{}, api.BadArg("origin", "is required")
		}
		if err := op(c.gate, a.Origin); err != nil {
			c.log.Info("pairing command failed", "op", done, "origin", a.Origin, "err", err)
			return api.Empty{}, err
		}
		c.log.Info("pairing changed", "op", done, "origin", a.Origin)
		return api.Empty{}, nil
	}
}

// approvePairing runs pair.approve: the user answers an origin's request, granting
// control or account.
func (c *conn) approvePairing(a *api.ApproveArgs) (api.Empty, error) {
	switch a.Permission {
	case "", api.PermControl, api.PermAccount:
	default:
		return api.Empty{}, api.BadArg("permission", "must be control or account")
	}
	approve := func(g *gate, origin string) error { return g.approve(origin, a.Permission) }
	return pairCommand(approve, "approved")(c, &api.OriginArgs{Origin: a.Origin})
}

// requestMore runs pair.request: a paired site asks the user for more permission
// (account). The answer comes later, in a permission event; the site that set its
// account with the administrator's leave has nothing to ask.
func (c *conn) requestMore(a *api.PermissionArgs) (api.PairingRequest, error) {
	if a.Permission != api.PermAccount {
		return api.PairingRequest{}, api.BadArg("permission", "must be account")
	}
	if level(c.level.Load()) >= levelOf(a.Permission) {
		return api.PairingRequest{}, pairing.ErrHasPermission
	}
	if !c.id.pair {
		return api.PairingRequest{}, errNotPairedSite
	}
	r, err := c.gate.requestMore(c, a.Permission)
	if err != nil {
		c.log.Info("permission request refused", "origin", c.id.origin.String(), "err", err)
		return api.PairingRequest{}, err
	}
	c.log.Info("permission requested", "origin", r.Origin, "permission", r.Permission, "request", r.ID)
	return r, nil
}

var errNotPairedSite = api.Sentinel("this site's permission is set by the administrator, not by pairing", api.ErrInvalidState)

package control

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/wpservice/wpservice/internal/api"
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

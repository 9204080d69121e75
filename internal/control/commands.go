package control

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/wpservice/wpservice/internal/api"
)

// handle decodes one client message, runs it and returns the encoded response.
// Exactly one response comes back for every message, whatever went wrong.
func (c *conn) handle(msg []byte) []byte {
	var resp api.Response
	if req, failure := decodeRequest(c.table, msg); failure != nil {
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

// run executes a decoded command: authentication, permissions, subscriptions and
// pairing here, everything else in the engine.
func (c *conn) run(req request) api.Response {
	if req.Cmd == api.CmdAuth {
		return c.authenticate(req.ID, req.Args.(*api.AuthArgs))
	}
	lvl := level(c.level.Load())
	if lvl == levelNone {
		return c.unauthenticated(req.ID)
	}
	if err := permit(req.Cmd, req.Args, lvl); err != nil {
		return api.Fail(req.ID, err)
	}
	switch req.Cmd {
	case api.CmdEventsSubscribe:
		sub := req.Args.(*api.SubscribeArgs)
		c.wantLog.Store(sub.Log)
		c.wantTrace.Store(sub.SIPTrace)
		c.wantLevels.Store(sub.Levels)
		return api.OK(req.ID, *sub)
	case api.CmdPairList:
		return api.OK(req.ID, c.gate.list())
	case api.CmdPairApprove, api.CmdPairDeny, api.CmdPairRevoke:
		return c.pairCommand(req)
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.t.commandTimeout)
	defer cancel()
	result, err := c.backend.Do(ctx, req.Cmd, req.Args)
	if err != nil {
		c.log.Debug("command failed", "cmd", req.Cmd, "err", err)
		return api.Fail(req.ID, wireError(err))
	}
	if result == nil {
		result = struct{}{}
	}
	return api.OK(req.ID, result)
}

// wireError maps an engine error to its wire form: an *api.Error as is, an
// *api.ArgError as invalid_args, an error wrapping one of api.Conditions as its code,
// anything else as "internal".
func wireError(err error) *api.Error {
	var apiErr *api.Error
	if errors.As(err, &apiErr) && apiErr != nil {
		return apiErr
	}
	var argErr *api.ArgError
	if errors.As(err, &argErr) {
		return api.NewError(api.CodeInvalidArgs, argErr.Error())
	}
	for cond, code := range conditionCodes {
		if errors.Is(err, cond) {
			return api.NewError(code, err.Error())
		}
	}
	return api.NewError(api.CodeInternal, err.Error())
}

// conditionCodes is the wire code of each of api.Conditions.
var conditionCodes = map[error]string{
	api.ErrInvalidState: api.CodeInvalidState, api.ErrNotFound: api.CodeNotFound,
	api.ErrNoFreeLine: api.CodeNoFreeLine, api.ErrNoAccount: api.CodeNoAccount,
	api.ErrUnavailable: api.CodeUnavailable,
}

// pairCommand runs pair.approve, pair.deny or pair.revoke.
func (c *conn) pairCommand(req request) api.Response {
	origin := req.Args.(*api.OriginArgs).Origin
	if origin == "" {
		return api.Fail(req.ID, api.NewError(api.CodeInvalidArgs, "origin is required"))
	}
	var err error
	switch req.Cmd {
	case api.CmdPairApprove:
		err = c.gate.approve(origin)
	case api.CmdPairDeny:
		err = c.gate.deny(origin)
	case api.CmdPairRevoke:
		err = c.gate.revoke(origin)
	}
	if err != nil {
		c.log.Info("pairing command failed", "cmd", req.Cmd, "origin", origin, "err", err)
		return api.Fail(req.ID, wireError(err))
	}
	c.log.Info("pairing changed", "cmd", req.Cmd, "origin", origin)
	return api.OK(req.ID, struct{}{})
}

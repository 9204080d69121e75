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

// run executes a decoded command: events.subscribe here, everything else in the engine.
func (c *conn) run(req request) api.Response {
	if req.Cmd == api.CmdEventsSubscribe {
		sub := req.Args.(*api.SubscribeArgs)
		c.wantLog.Store(sub.Log)
		c.wantTrace.Store(sub.SIPTrace)
		return api.OK(req.ID, *sub)
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

// wireError maps an engine error to its wire form: an *api.Error as is, anything
// else as "internal".
func wireError(err error) *api.Error {
	var apiErr *api.Error
	if errors.As(err, &apiErr) && apiErr != nil {
		return apiErr
	}
	return api.NewError(api.CodeInternal, err.Error())
}

package control

import (
	"errors"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

// wireCodes is the one table from Go errors to wire codes. The engine and the
// packages under it return errors wrapping one of api.Conditions; the pairing store
// returns its sentinels, which get a message of their own (the store's say too little
// to a web page). Nothing below control chooses a wire code.
var wireCodes = []struct {
	cond    error
	code    string
	message string // "" = the error's own
}{
	{api.ErrInvalidState, api.CodeInvalidState, ""},
	{api.ErrNotFound, api.CodeNotFound, ""},
	{api.ErrNoFreeLine, api.CodeNoFreeLine, ""},
	{api.ErrNoAccount, api.CodeNoAccount, ""},
	{api.ErrUnavailable, api.CodeUnavailable, ""},
	{pairing.ErrBadOrigin, api.CodeInvalidArgs, "origin must be scheme://host[:port]"},
	{pairing.ErrNoPending, api.CodeNotFound, "no pending pairing request for that origin"},
	{pairing.ErrNotPaired, api.CodeNotFound, "that origin is not paired"},
	{pairing.ErrBadToken, api.CodeUnauthorized, "token not valid for this origin; send auth without a token to ask the user again"},
	{pairing.ErrRateLimited, api.CodeRateLimited, "too many failed attempts from this origin; try again in a minute"},
	{pairing.ErrCoolingDown, api.CodeRateLimited, "the user denied this origin recently; try again later"},
	{pairing.ErrTooManyRequests, api.CodeRateLimited, "too many pairing requests; try again later"},
	{pairing.ErrBadPermission, api.CodeInvalidArgs, "permission must be control or account, and no more than the site asked for"},
	{pairing.ErrHasPermission, api.CodeInvalidState, "this connection already has that permission"},
}

// WireError maps an error to its wire form. An *api.ArgError is invalid_args; an
// *api.Error (control's own answers about the connection) goes as it is; an error of
// the table gets its code; anything else is a bug and goes as internal.
func WireError(err error) *api.Error {
	var apiErr *api.Error
	if errors.As(err, &apiErr) && apiErr != nil {
		return apiErr
	}
	var argErr *api.ArgError
	if errors.As(err, &argErr) {
		return api.NewError(api.CodeInvalidArgs, argErr.Error())
	}
	for _, w := range wireCodes {
		if errors.Is(err, w.cond) {
			msg := w.message
			if msg == "" {
				msg = err.Error()
			}
			return api.NewError(w.code, msg)
		}
	}
	return api.NewError(api.CodeInternal, err.Error())
}

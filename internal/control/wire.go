package control

import (
	"errors"

	"github.com/wpservice/wpservice/internal/api"
)

// wireCodes is the one table from the engine's error conditions to wire codes. The
// engine and the packages under it return Go errors wrapping one of api.Conditions;
// nothing below control chooses a wire code.
var wireCodes = []struct {
	cond error
	code string
}{
	{api.ErrInvalidState, api.CodeInvalidState},
	{api.ErrNotFound, api.CodeNotFound},
	{api.ErrNoFreeLine, api.CodeNoFreeLine},
	{api.ErrNoAccount, api.CodeNoAccount},
	{api.ErrUnavailable, api.CodeUnavailable},
}

// WireError maps an error to its wire form. An *api.ArgError is invalid_args; an
// *api.Error (control's own: pairing, rate limits) goes as it is; a condition of the
// table gets its code; anything else is a bug and goes as internal.
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
			return api.NewError(w.code, err.Error())
		}
	}
	return api.NewError(api.CodeInternal, err.Error())
}

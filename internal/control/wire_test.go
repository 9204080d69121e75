package control

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

// Every condition the engine may return has its wire code in the one table, wrapped
// however deep; argument errors are invalid_args; anything else is internal.
func TestEveryConditionHasAWireCode(t *testing.T) {
	coded := map[error]bool{}
	for _, w := range wireCodes {
		coded[w.cond] = true
	}
	for _, cond := range api.Conditions {
		if !coded[cond] {
			t.Errorf("api condition %q has no wire code in wireCodes", cond)
		}
		wrapped := fmt.Errorf("hold: %w", fmt.Errorf("line 2: %w", cond))
		if got := WireError(wrapped); got.Code == api.CodeInternal || got.Message != wrapped.Error() {
			t.Errorf("%q: wire error %+v", cond, got)
		}
	}
	tests := []struct {
		err  error
		code string
		msg  string
	}{
		{fmt.Errorf("no call on line 3: %w", api.ErrNotFound), api.CodeNotFound, "no call on line 3: not found"},
		{fmt.Errorf("dial: %w", api.ErrNoFreeLine), api.CodeNoFreeLine, "dial: no free line"},
		{fmt.Errorf("%w: set an account first", api.ErrNoAccount), api.CodeNoAccount, "no account: set an account first"},
		{fmt.Errorf("line 1: %w", api.ErrInvalidState), api.CodeInvalidState, "line 1: invalid state"},
		{fmt.Errorf("open device: %w", api.ErrUnavailable), api.CodeUnavailable, "open device: unavailable"},
		{fmt.Errorf("dial: %w", api.BadArg("to", "empty dial string")), api.CodeInvalidArgs, "to: empty dial string"},
		{api.NewError(api.CodeRateLimited, "slow down"), api.CodeRateLimited, "slow down"},
		{fmt.Errorf("approve: %w", pairing.ErrNoPending), api.CodeNotFound, "no pending pairing request for that origin"},
		{pairing.ErrBadToken, api.CodeUnauthorized, "token not valid for this origin; send auth without a token to ask the user again"},
		{pairing.ErrCoolingDown, api.CodeRateLimited, "the user denied this origin recently; try again later"},
		{errPairingOff, api.CodeInvalidState, "user pairing is switched off in the config"},
		{errors.New("nil map"), api.CodeInternal, "nil map"},
	}
	for _, tc := range tests {
		if got := WireError(tc.err); got.Code != tc.code || got.Message != tc.msg {
			t.Errorf("WireError(%q) = %s %q, want %s %q", tc.err, got.Code, got.Message, tc.code, tc.msg)
		}
	}
}

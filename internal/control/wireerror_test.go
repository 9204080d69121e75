package control

import (
	"fmt"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

func TestWireErrorMapsConditionsAndArguments(t *testing.T) {
	if e := wireError(fmt.Errorf("dial: %w", api.BadArg("to", "not a SIP address"))); e.Code != api.CodeInvalidArgs || e.Message != "to: not a SIP address" {
		t.Errorf("argument error: %+v", e)
	}
	for _, cond := range api.Conditions {
		e := wireError(fmt.Errorf("context: %w", cond))
		if e.Code == api.CodeInternal || e.Code != conditionCodes[cond] {
			t.Errorf("%v became %+v", cond, e)
		}
	}
	if e := wireError(fmt.Errorf("disk full")); e.Code != api.CodeInternal {
		t.Errorf("plain error: %+v", e)
	}
}

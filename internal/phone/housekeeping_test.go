package phone

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// housekeepingRuns reports, from the actor, whether its housekeeping tick runs.
func (r *rig) housekeepingRuns() bool {
	r.t.Helper()
	v, err := r.p.call(context.Background(), func() (any, error) { return r.p.housekeeping.running(), nil })
	if err != nil {
		r.t.Fatal(err)
	}
	return v.(bool)
}

// The housekeeping tick runs only while a call exists: an idle engine has no timer
// that wakes it, and a call's RTP timeout still ends the call on the real clock.
func TestHousekeepingRunsOnlyWhileCallsExist(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, func(c *Config) { c.FrameTick, c.Now = nil, nil }) // the bubble's clock
		if r.housekeepingRuns() {
			t.Fatal("the idle engine runs its housekeeping tick")
		}

		r.answeredCall("bob")
		r.expectStates(api.CallDialing, api.CallActive)
		if !r.housekeepingRuns() {
			t.Fatal("no housekeeping tick during a call")
		}
		start := time.Now()
		cs := r.expectStates(api.CallEnded)
		if cs.Cause.Kind != api.CauseRTPTimeout {
			t.Fatalf("the silent call ended with %+v, want an RTP timeout", cs.Cause)
		}
		if d := time.Since(start); d > r.p.settings.RTPTimeout+housekeepingPeriod {
			t.Errorf("the RTP timeout ended the call after %v, want within %v", d, r.p.settings.RTPTimeout+housekeepingPeriod)
		}
		if r.housekeepingRuns() {
			t.Error("the housekeeping tick still runs after the last call ended")
		}
	})
}

package phone

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// noStateFor fails the test if a call.state event comes while d passes.
func (r *rig) noStateFor(d time.Duration) {
	r.t.Helper()
	time.Sleep(d)
	synctest.Wait()
	for {
		select {
		case ev := <-r.events:
			if ev.Event == api.EvCallState {
				r.t.Fatalf("call.state %+v before the limit", ev.Data)
			}
		default:
			return
		}
	}
}

// An outgoing call that rings for ringTimeoutOut is cancelled with cause timeout.
func TestOutgoingCallCancelledAfterRingTimeoutOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, nil)
		r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RingTimeoutOut: ptr(30)})
		r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
		r.expectStates(api.CallDialing)
		d := r.sip.lastDial(t)
		r.sipEvent(d.id, inRinging, 180, nil)
		r.expectStates(api.CallRinging)
		r.noStateFor(29 * time.Second)

		time.Sleep(2 * time.Second)
		end := r.expectStates(api.CallEnded)
		if c := end.Cause; c == nil || c.Kind != api.CauseTimeout || c.Reason != api.TimeoutRing {
			t.Errorf("cause %+v, want timeout/ring", end.Cause)
		}
		if !slices.Contains(d.did(), "hangup") {
			t.Errorf("dialog actions %v, want the call cancelled", d.did())
		}
	})
}

// The ring limit ends with the ringing: an answered call runs on, and callTimeout,
// counted from the answer, hangs it up.
func TestAnsweredCallEndsAtCallTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, nil)
		r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RingTimeoutOut: ptr(30), CallTimeout: ptr(60)})
		r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
		r.expectStates(api.CallDialing)
		d := r.sip.lastDial(t)
		time.Sleep(20 * time.Second)
		r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
		r.expectStates(api.CallActive)
		r.noStateFor(59 * time.Second) // past the ring limit; not yet the call limit

		time.Sleep(2 * time.Second)
		end := r.expectStates(api.CallEnded)
		if c := end.Cause; c == nil || c.Kind != api.CauseTimeout || c.Reason != api.TimeoutCall {
			t.Errorf("cause %+v, want timeout/call", end.Cause)
		}
		if !slices.Contains(d.did(), "hangup") {
			t.Errorf("dialog actions %v, want BYE", d.did())
		}
	})
}

// Without limits a call rings and lasts as long as the parties like.
func TestNoLimitsByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, nil)
		r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
		r.expectStates(api.CallDialing)
		d := r.sip.lastDial(t)
		r.noStateFor(time.Hour)
		r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
		r.expectStates(api.CallActive)
		r.noStateFor(24 * time.Hour)
	})
}

func TestTimeLimitsRefuseOutOfRange(t *testing.T) {
	r := newRig(t, nil)
	for _, a := range []api.SettingsArgs{
		{RingTimeoutOut: ptr(-1)}, {RingTimeoutOut: ptr(3601)}, {CallTimeout: ptr(-1)}, {CallTimeout: ptr(86401)},
	} {
		if _, err := r.do(api.CmdSettingsSet.Name, &a); apiCode(err) != api.CodeInvalidArgs {
			t.Errorf("settings.set %+v: %v, want invalid_args", a, err)
		}
	}
	got := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RingTimeoutOut: ptr(45), CallTimeout: ptr(7200)}).(api.Settings)
	if got.RingTimeoutOut != 45 || got.CallTimeout != 7200 {
		t.Errorf("settings %+v, want ringTimeoutOut 45 and callTimeout 7200", got)
	}
}

package phone

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// AnswerRefer and NotifyRefer make fakeDialog a referee: they record what the
// phone told the peer about its REFER.
func (d *fakeDialog) AnswerRefer(accept bool) { d.record(fmt.Sprintf("refer-answer %v", accept)) }
func (d *fakeDialog) NotifyRefer(_ context.Context, code int, _ string, final bool) error {
	d.record(fmt.Sprintf("notify %d final=%v", code, final))
	return nil
}

// told is what d told the peer about its REFER, in order: its answers and NOTIFYs
// (the re-INVITEs of auto-hold run beside them).
func (d *fakeDialog) told() []string {
	return slices.DeleteFunc(d.did(), func(a string) bool { return a == "hold" || a == "hangup" })
}

// waitTold waits until d told the peer want.
func waitTold(t *testing.T, d *fakeDialog, want ...string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !slices.Equal(d.told(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("told the peer %v, want %v", d.told(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// referred hands the phone the peer's REFER of d's call to carol.
func (r *rig) referred(d *fakeDialog) {
	r.p.post(func() { r.p.onReferred(d.id, "sip:carol@127.0.0.1:5060") })
	r.sync()
}

// nthDial waits for the phone's nth dial and returns its dialog.
func (r *rig) nthDial(n int) *fakeDialog {
	r.t.Helper()
	waitFor(r.t, func() bool {
		r.sip.mu.Lock()
		defer r.sip.mu.Unlock()
		return len(r.sip.dialed) >= n
	})
	r.sip.mu.Lock()
	defer r.sip.mu.Unlock()
	return r.sip.dialed[n-1]
}

// lastStates drains the events so far and returns the last call.state of each call.
func (r *rig) lastStates() map[string]api.CallState {
	last := map[string]api.CallState{}
	for {
		select {
		case ev := <-r.events:
			if cs, ok := ev.Data.(api.CallState); ok {
				last[cs.CallID] = cs
			}
		default:
			return last
		}
	}
}

// Accepted, the REFER's target is dialled on a line of its own and its progress
// notified; once it answers, the referred call ends with cause transferred.
func TestReferredCallFollowsTheTarget(t *testing.T) {
	r := newRig(t, nil)
	d, cs := activeOutgoing(t, r)
	r.referred(d)
	to := r.nthDial(2)
	if to.target != "sip:carol@127.0.0.1:5060" {
		t.Fatalf("dialled %+v, want carol", to)
	}
	r.sipEvent(to.id, inRinging, 180, nil)
	r.sipEvent(to.id, inAnswered, 200, peerSDP(30002, pcmu))
	waitTold(t, d, "refer-answer true", "notify 100 final=false", "notify 180 final=false", "notify 200 final=true")
	waitFor(t, func() bool { return slices.Contains(d.did(), "hangup") })
	r.sync()
	if end := r.lastStates()[cs.CallID]; end.State != api.CallEnded || end.Cause == nil || end.Cause.Kind != api.CauseTransferred {
		t.Errorf("the referred call %+v, want ended transferred", end)
	}
}

// A target that refuses is notified with its status; the referred call stays.
func TestReferredTargetRefuses(t *testing.T) {
	r := newRig(t, nil)
	d, cs := activeOutgoing(t, r)
	r.referred(d)
	to := r.nthDial(2)
	r.sipEvent(to.id, inRejected, 486, nil)
	waitTold(t, d, "refer-answer true", "notify 100 final=false", "notify 486 final=true")
	if st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(st.Lines) != 1 || st.Lines[0].CallID != cs.CallID || st.Lines[0].State != api.CallActive {
		t.Errorf("lines after the refused target: %+v", st.Lines)
	}
}

// transferIncoming refuse answers 603 and dials nothing; ask raises call.referred,
// and call.referral declines (603 notified) or accepts (the target dialled).
func TestReferredRefusedOrAsked(t *testing.T) {
	r := newRig(t, nil)
	d, cs := activeOutgoing(t, r)
	refuse, ask := api.TransferRefuse, api.TransferAsk
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{TransferIncoming: &refuse})
	r.referred(d)
	waitTold(t, d, "refer-answer false")

	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{TransferIncoming: &ask})
	ref := api.CallRef{CallID: cs.CallID}
	if _, err := r.do(api.CmdCallReferral.Name, &api.ReferralArgs{CallRef: ref, Accept: true}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("call.referral with no REFER: %v, want invalid_state", err)
	}
	for _, accept := range []bool{false, true} {
		r.referred(d)
		var asked api.Referred
		for ev := range r.events {
			if ev.Event == api.EvCallReferred {
				asked = ev.Data.(api.Referred)
				break
			}
		}
		if asked.CallID != cs.CallID || asked.Target != "sip:carol@127.0.0.1:5060" {
			t.Errorf("call.referred %+v", asked)
		}
		r.mustDo(api.CmdCallReferral.Name, &api.ReferralArgs{CallRef: ref, Accept: accept})
		if !accept {
			waitTold(t, d, "refer-answer false", "refer-answer true", "notify 603 final=true")
		}
	}
	waitTold(t, d, "refer-answer false", "refer-answer true", "notify 603 final=true", "refer-answer true", "notify 100 final=false")
	if to := r.nthDial(2); to.target != "sip:carol@127.0.0.1:5060" {
		t.Errorf("dialled %s after the page accepted", to.target)
	}
	bad := "sometimes"
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{TransferIncoming: &bad}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("transferIncoming %q: %v, want invalid_args", bad, err)
	}
}

// A Refer-To with an embedded Replaces (we are the transferee of an attended
// transfer) is dialled at its address with the Replaces as a header of the INVITE.
func TestReferredWithReplacesDialsWithTheHeader(t *testing.T) {
	r := newRig(t, nil)
	d, _ := activeOutgoing(t, r)
	r.p.post(func() {
		r.p.onReferred(d.id, "sip:carol@127.0.0.1:5060?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2&Subject=x")
	})
	r.sync()
	to := r.nthDial(2)
	if to.target != "sip:carol@127.0.0.1:5060" {
		t.Errorf("dialled %s", to.target)
	}
	if want := []Header{{Name: "Replaces", Value: "abc@host;to-tag=1;from-tag=2"}}; !slices.Equal(to.headers, want) {
		t.Errorf("INVITE headers %+v, want %+v", to.headers, want)
	}
}

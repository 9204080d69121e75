package phone

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/control"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Refer makes fakeDialog a referrer: it records "refer" and the target and answers
// with referErr.
func (d *fakeDialog) Refer(_ context.Context, target string) error {
	d.record("refer " + target)
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.referErr
}

// notify hands the phone a NOTIFY of the call's transfer, as the SIP adapter does.
func (r *rig) notify(sipID string, code int, reason string, final bool) {
	r.p.post(func() { r.p.onTransferProgress(sipID, code, reason, final) })
	r.sync()
}

// nextTransfer waits for the next call.transfer event.
func (r *rig) nextTransfer() api.TransferEvent {
	r.t.Helper()
	for {
		select {
		case ev := <-r.events:
			if ev.Event == api.EvCallTransfer {
				return ev.Data.(api.TransferEvent)
			}
		case <-time.After(2 * time.Second):
			r.t.Fatal("no call.transfer event")
		}
	}
}

// A transfer holds the call, sends REFER, reports the NOTIFYs, and ends the call
// with cause transferred (a BYE) once the target answered.
func TestTransferSucceeds(t *testing.T) {
	r := newRig(t, nil)
	d, cs := activeOutgoing(t, r)
	d.holdAnswer = holdSDP(30000, sipstack.DirRecvOnly)

	r.mustDo(api.CmdCallTransfer.Name, &api.TransferArgs{CallRef: api.CallRef{CallID: cs.CallID}, Target: "carol"})
	if te := r.nextTransfer(); te.State != api.TransferTrying || te.Code != 202 || te.Target != "carol" || te.CallID != cs.CallID {
		t.Errorf("first transfer event %+v", te)
	}
	r.notify(d.id, 100, "Trying", false)
	if te := r.nextTransfer(); te.State != api.TransferTrying || te.Code != 100 {
		t.Errorf("after 100: %+v", te)
	}
	r.notify(d.id, 180, "Ringing", false)
	if te := r.nextTransfer(); te.State != api.TransferRinging || te.Code != 180 {
		t.Errorf("after 180: %+v", te)
	}
	r.notify(d.id, 200, "OK", true)
	if te := r.nextTransfer(); te.State != api.TransferSucceeded || te.Code != 200 {
		t.Errorf("after 200: %+v", te)
	}
	var end api.CallState
	for end.State != api.CallEnded {
		end = r.nextCallState()
	}
	if end.Cause == nil || end.Cause.Kind != api.CauseTransferred {
		t.Errorf("end %+v, want cause transferred", end)
	}
	want := []string{"hold", "refer sip:carol@127.0.0.1:5060", "hangup"}
	waitFor(t, func() bool { return len(d.did()) == len(want) })
	if got := d.did(); !slices.Equal(got, want) {
		t.Errorf("dialog did %v, want %v", got, want)
	}
}

// A transfer that fails leaves the call up, resumed from the hold the transfer put
// it in: a refused REFER fails the command, a NOTIFY's error the transfer.
func TestTransferFailureResumes(t *testing.T) {
	for _, tt := range []struct {
		name     string
		referErr error
		notify   int
	}{
		{"refused", &sipstack.StatusError{Code: 603, Reason: "Declined"}, 0},
		{"target busy", nil, 486},
		{"ended without outcome", nil, 180},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			d, cs := activeOutgoing(t, r)
			d.holdAnswer = holdSDP(30000, sipstack.DirRecvOnly)
			d.referErr = tt.referErr

			_, err := r.do(api.CmdCallTransfer.Name, &api.TransferArgs{Target: "carol"})
			if tt.referErr != nil {
				if ae := control.WireError(err); err == nil || ae.Code != api.CodeUnavailable || !strings.Contains(ae.Message, "603") {
					t.Errorf("refused transfer: %v, want unavailable with 603", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if te := r.nextTransfer(); te.State != api.TransferTrying {
					t.Errorf("first transfer event %+v", te)
				}
				r.notify(d.id, tt.notify, "", true)
			}
			te := r.nextTransfer()
			if want := max(tt.notify, 603*btoi(tt.referErr != nil)); te.State != api.TransferFailed || te.Code != want {
				t.Errorf("transfer event %+v, want failed %d", te, want)
			}
			want := []string{"hold", "refer sip:carol@127.0.0.1:5060", "resume"}
			waitFor(t, func() bool { return len(d.did()) == len(want) })
			if got := d.did(); !slices.Equal(got, want) {
				t.Errorf("dialog did %v, want %v", got, want)
			}
			r.sync()
			if st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(st.Lines) != 1 || st.Lines[0].Held || st.Lines[0].State != api.CallActive || st.Lines[0].CallID != cs.CallID {
				t.Errorf("after the failed transfer: %+v", st.Lines)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A held call is transferred as it is, and stays held when the transfer fails.
func TestTransferOfAHeldCallKeepsItHeld(t *testing.T) {
	r := newRig(t, nil)
	d, _ := activeOutgoing(t, r)
	d.holdAnswer = holdSDP(30000, sipstack.DirRecvOnly)
	r.mustDo(api.CmdCallHold.Name, &api.HoldArgs{Hold: true})
	r.mustDo(api.CmdCallTransfer.Name, &api.TransferArgs{Target: "carol"})
	r.notify(d.id, 404, "Not Found", true)
	for te := r.nextTransfer(); te.State != api.TransferFailed; te = r.nextTransfer() {
	}
	r.sync()
	if got, want := d.did(), []string{"hold", "refer sip:carol@127.0.0.1:5060"}; !slices.Equal(got, want) {
		t.Errorf("dialog did %v, want %v", got, want)
	}
	if st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); !st.Lines[0].Held {
		t.Errorf("the held call was resumed: %+v", st.Lines[0])
	}
}

func TestTransferErrors(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.do(api.CmdCallTransfer.Name, &api.TransferArgs{Target: "carol"}); apiCode(err) != api.CodeNotFound {
		t.Errorf("no call: %v, want not_found", err)
	}
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	if _, err := r.do(api.CmdCallTransfer.Name, &api.TransferArgs{Target: "carol"}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("transfer while dialing: %v, want invalid_state", err)
	}
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.expectStates(api.CallActive)
	for _, target := range []string{"", "sip:a b@c"} {
		if _, err := r.do(api.CmdCallTransfer.Name, &api.TransferArgs{Target: target}); apiCode(err) != api.CodeInvalidArgs {
			t.Errorf("target %q: %v, want invalid_args", target, err)
		}
	}
	d.holdAnswer = holdSDP(30000, sipstack.DirRecvOnly)
	r.mustDo(api.CmdCallTransfer.Name, &api.TransferArgs{Target: "carol"})
	if _, err := r.do(api.CmdCallTransfer.Name, &api.TransferArgs{Target: "dave"}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("a second transfer: %v, want invalid_state", err)
	}
}

// ReplacingTarget makes fakeDialog a replacer: the peer's address with its id as
// the Replaces.
func (d *fakeDialog) ReplacingTarget() (string, error) {
	return d.target + "?Replaces=" + d.id, nil
}

// Attended transfer: the REFER on the first call names the consultation call's
// party with that call's Replaces; once it succeeded both calls end transferred.
func TestTransferAttendedEndsBothCalls(t *testing.T) {
	r := newRig(t, nil)
	d1, c1 := activeOutgoing(t, r)
	d1.holdAnswer = holdSDP(30000, sipstack.DirRecvOnly)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "carol"})
	d2 := r.nthDial(2)
	r.sipEvent(d2.id, inAnswered, 200, peerSDP(30002, pcmu))
	c2 := r.expectStates(api.CallDialing, api.CallActive)

	for _, bad := range []api.TransferArgs{
		{CallRef: api.CallRef{CallID: c1.CallID}},
		{CallRef: api.CallRef{CallID: c1.CallID}, Target: "dave", ConsultCallID: c2.CallID},
		{CallRef: api.CallRef{CallID: c1.CallID}, ConsultCallID: c1.CallID},
	} {
		if _, err := r.do(api.CmdCallTransfer.Name, &bad); apiCode(err) != api.CodeInvalidArgs {
			t.Errorf("%+v: %v, want invalid_args", bad, err)
		}
	}
	r.mustDo(api.CmdCallTransfer.Name, &api.TransferArgs{CallRef: api.CallRef{CallID: c1.CallID}, ConsultCallID: c2.CallID})
	r.notify(d1.id, 200, "OK", true)
	waitFor(t, func() bool { return slices.Contains(d1.did(), "hangup") && slices.Contains(d2.did(), "hangup") })
	if !slices.Contains(d1.did(), "refer sip:carol@127.0.0.1:5060?Replaces="+d2.id) {
		t.Errorf("the first call did %v, want a REFER to carol replacing %s", d1.did(), d2.id)
	}
	r.sync()
	last := r.lastStates()
	for _, id := range []string{c1.CallID, c2.CallID} {
		if end := last[id]; end.State != api.CallEnded || end.Cause == nil || end.Cause.Kind != api.CauseTransferred {
			t.Errorf("call %s %+v, want ended transferred", id, end)
		}
	}
}

package phone

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// ring delivers an incoming call from carol on dialog d, with the INVITE's
// answer hints, and returns its ringing state.
func (r *rig) ring(d *fakeDialog, hints ...string) api.CallState {
	r.t.Helper()
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu), AnswerHints: hints})
	})
	return r.expectStates(api.CallIncoming, api.CallRinging)
}

// turnedAway delivers an incoming call from carol on dialog d that the
// policies turn away, and returns its one call.state, which says it ended.
func (r *rig) turnedAway(d *fakeDialog) api.CallState {
	r.t.Helper()
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu)})
	})
	return r.expectStates(api.CallEnded)
}

func TestForwardARingingCall(t *testing.T) {
	r := newRig(t, nil)
	d := &fakeDialog{id: "in-1"}
	cs := r.ring(d)
	if _, err := r.do(api.CmdCallForward.Name, &api.ForwardArgs{CallRef: api.CallRef{CallID: cs.CallID}}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("call.forward without a target: %v, want invalid_args", err)
	}
	r.mustDo(api.CmdCallForward.Name, &api.ForwardArgs{CallRef: api.CallRef{CallID: cs.CallID}, Target: "bob"})
	end := r.expectStates(api.CallEnded)
	if got := d.did(); !slices.Equal(got, []string{"ring", "forward sip:bob@127.0.0.1:5060"}) {
		t.Errorf("dialog actions %v, want a 302 to bob after the 180", got)
	}
	if c := end.Cause; c == nil || c.Kind != api.CauseForwarded || c.Code != 302 || c.Reason != "sip:bob@127.0.0.1:5060" {
		t.Errorf("cause %+v, want forwarded 302 to bob", end.Cause)
	}
	if r.lastStream().closed != true {
		t.Error("the forwarded call's RTP was left open")
	}
}

func TestForwardRefusesAnAnsweredCall(t *testing.T) {
	r := newRig(t, nil)
	cs := r.answeredIncoming(&fakeDialog{id: "in-1"})
	_, err := r.do(api.CmdCallForward.Name, &api.ForwardArgs{CallRef: api.CallRef{CallID: cs.CallID}, Target: "bob"})
	if apiCode(err) != api.CodeInvalidState {
		t.Errorf("call.forward of an active call: %v, want invalid_state", err)
	}
}

// A ringing call the stack can no longer redirect is declined, as the user would.
func TestForwardThatCannotBeSentDeclines(t *testing.T) {
	r := newRig(t, nil)
	d := &fakeDialog{id: "in-1", forwardErr: errors.New("the INVITE transaction ended")}
	cs := r.ring(d)
	r.mustDo(api.CmdCallForward.Name, &api.ForwardArgs{CallRef: api.CallRef{CallID: cs.CallID}, Target: "bob"})
	r.expectStates(api.CallEnded)
	if got := d.did(); !slices.Equal(got, []string{"ring", "reject 603"}) {
		t.Errorf("dialog actions %v, want 603 when the 302 cannot be sent", got)
	}
}

// Each refusing policy answers the INVITE without ringing, and the call's one
// event says it ended, refused, with the policy.
func TestPoliciesRefuse(t *testing.T) {
	tests := []struct {
		name   string
		set    api.SettingsArgs
		code   int
		reason string
	}{
		{"dnd busy", api.SettingsArgs{DND: ptr(true)}, 486, api.RefusedDND},
		{"dnd decline", api.SettingsArgs{DND: ptr(true), DNDAction: ptr(api.DNDDecline)}, 603, api.RefusedDND},
		{"block list", api.SettingsArgs{BlockList: ptr("dave, Carol")}, 603, api.RefusedBlocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.mustDo(api.CmdSettingsSet.Name, &tt.set)
			d := &fakeDialog{id: "in-1"}
			cs := r.turnedAway(d)
			if c := cs.Cause; c == nil || c.Kind != api.CauseRefused || c.Code != tt.code || c.Reason != tt.reason {
				t.Errorf("cause %+v, want refused %d %s", cs.Cause, tt.code, tt.reason)
			}
			if cs.Direction != api.DirIncoming || cs.PeerUser != "carol" {
				t.Errorf("the refused call %+v does not say who called", cs)
			}
			if got := d.did(); !slices.Equal(got, []string{fmt.Sprintf("reject %d", tt.code)}) {
				t.Errorf("dialog actions %v", got)
			}
		})
	}
}

func TestRejectWhenBusy(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RejectWhenBusy: ptr(true)})
	r.answeredIncoming(&fakeDialog{id: "first"})
	d := &fakeDialog{id: "second"}
	cs := r.turnedAway(d)
	if c := cs.Cause; c == nil || c.Kind != api.CauseRefused || c.Code != 486 || c.Reason != api.RefusedBusy {
		t.Errorf("cause %+v, want refused 486 busy", cs.Cause)
	}
	if got := d.did(); !slices.Equal(got, []string{"reject 486"}) {
		t.Errorf("dialog actions %v", got)
	}
}

func TestForwardAlwaysAndOnBusy(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{ForwardOnBusy: ptr("desk")})
	r.answeredIncoming(&fakeDialog{id: "first"})
	busy := &fakeDialog{id: "second"}
	if cs := r.turnedAway(busy); cs.Cause == nil || cs.Cause.Kind != api.CauseForwarded {
		t.Errorf("on busy: cause %+v, want forwarded", cs.Cause)
	}
	if got := busy.did(); !slices.Equal(got, []string{"forward sip:desk@127.0.0.1:5060"}) {
		t.Errorf("on busy: dialog actions %v", got)
	}
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{All: true})
	r.expectStates(api.CallEnded)

	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{ForwardAlways: ptr("sip:mobile@example.com")})
	always := &fakeDialog{id: "third"}
	if cs := r.turnedAway(always); cs.Cause == nil || cs.Cause.Reason != "sip:mobile@example.com" {
		t.Errorf("always: cause %+v, want forwarded to the mobile", cs.Cause)
	}
	if got := always.did(); !slices.Equal(got, []string{"forward sip:mobile@example.com"}) {
		t.Errorf("always: dialog actions %v", got)
	}
}

func TestNoAnswerForwardsAfterTheRingTimeout(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{ForwardOnNoAnswer: ptr("voicemail"), RingTimeout: ptr(1)})
	d := &fakeDialog{id: "in-1"}
	start := time.Now()
	r.ring(d)
	end := r.expectStates(api.CallEnded)
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("forwarded after %v, before the 1 s ring timeout", waited)
	}
	if end.Cause == nil || end.Cause.Kind != api.CauseForwarded || end.Cause.Reason != "sip:voicemail@127.0.0.1:5060" {
		t.Errorf("cause %+v, want forwarded to voicemail", end.Cause)
	}
	if got := d.did(); !slices.Equal(got, []string{"ring", "forward sip:voicemail@127.0.0.1:5060"}) {
		t.Errorf("dialog actions %v", got)
	}
}

func TestRingTimeoutWithoutTargetRefuses(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RingTimeout: ptr(1)})
	d := &fakeDialog{id: "in-1"}
	r.ring(d)
	end := r.expectStates(api.CallEnded)
	if c := end.Cause; c == nil || c.Kind != api.CauseRefused || c.Code != 480 || c.Reason != api.RefusedNoAnswer {
		t.Errorf("cause %+v, want refused 480 no_answer", end.Cause)
	}
	if got := d.did(); !slices.Equal(got, []string{"ring", "reject 480"}) {
		t.Errorf("dialog actions %v", got)
	}
}

// A call answered before the ring timeout stays up.
func TestAnsweredCallOutlivesTheRingTimeout(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{ForwardOnNoAnswer: ptr("voicemail"), RingTimeout: ptr(1)})
	d := &fakeDialog{id: "in-1"}
	cs := r.ring(d)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	r.expectStates(api.CallActive)
	time.Sleep(1200 * time.Millisecond) // past the ring timeout: nothing may happen
	r.sync()
	if got := d.did(); !slices.Equal(got, []string{"ring", "answer"}) {
		t.Errorf("dialog actions %v, want the answered call left alone", got)
	}
}

// A caller's request to be answered at once is honoured only when the setting allows it.
func TestAutoAnswerByHeader(t *testing.T) {
	r := newRig(t, nil)
	d := &fakeDialog{id: "in-1"}
	cs := r.ring(d, "Answer-Mode: Auto")
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{CallRef: api.CallRef{CallID: cs.CallID}})
	r.expectStates(api.CallEnded)
	if got := d.did(); slices.Contains(got, "answer") {
		t.Errorf("answered by header without the setting: %v", got)
	}

	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{AutoAnswerHeaders: ptr(true)})
	intercom := &fakeDialog{id: "in-2"}
	r.ring(intercom, "Alert-Info: <http://www.notused.com>;info=alert-autoanswer")
	r.expectStates(api.CallActive)
	if got := intercom.did(); !slices.Equal(got, []string{"ring", "answer"}) {
		t.Errorf("intercom call: dialog actions %v", got)
	}
}

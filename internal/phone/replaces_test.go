package phone

import (
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// An incoming call replacing an active one takes its line and is answered at once;
// the replaced call ends with BYE, cause transferred. One naming a call that is gone
// by the time it arrives (the stack found it; it ended since) is refused with 481
// (RFC 3891 section 3), not rung as a new call.
func TestIncomingReplacesTheCallItNames(t *testing.T) {
	r := newRig(t, nil)
	old, oldState := activeOutgoing(t, r)
	d := &fakeDialog{id: "sip-replacing"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu), Replaces: old.id})
	})
	waitFor(t, func() bool { return slices.Contains(d.did(), "answer") && slices.Contains(old.did(), "hangup") })
	r.sync()
	last := r.lastStates()
	if end := last[oldState.CallID]; end.State != api.CallEnded || end.Cause == nil || end.Cause.Kind != api.CauseTransferred {
		t.Errorf("the replaced call %+v, want ended transferred", end)
	}
	st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot)
	if len(st.Lines) != 1 || st.Lines[0].Line != oldState.Line || st.Lines[0].PeerUser != "carol" || st.Lines[0].State != api.CallActive {
		t.Errorf("lines %+v, want carol active on line %d", st.Lines, oldState.Line)
	}

	d2 := &fakeDialog{id: "sip-unknown"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d2, From: "sip:dave@127.0.0.1", FromUser: "dave", SDP: peerSDP(31002, pcmu), Replaces: "gone"})
	})
	r.sync()
	if got := d2.did(); !slices.Equal(got, []string{"reject 481"}) {
		t.Errorf("a call replacing a call that is gone: %v, want [reject 481]", got)
	}
}

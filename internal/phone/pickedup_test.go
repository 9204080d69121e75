package phone

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// Our call ringing with early media is picked up: the INVITE with Replaces naming it
// is answered at once, the ringing INVITE is cancelled and its early media closed, and
// the same call, on its line, is active with the party that picked it up, its audio
// on a new stream aimed at that party's offer.
func TestRingingCallPickedUp(t *testing.T) {
	r := newRig(t, nil)
	ringing := ringingOutgoing(t, r, api.CallEarly)
	early := r.lastStream()
	pick := &fakeDialog{id: "sip-pickup"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: pick, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu), Replaces: ringing.id})
	})
	cs := r.expectStates(api.CallActive)
	if cs.PeerUser != "carol" || cs.PickedUpBy != "sip:carol@127.0.0.1" || cs.Direction != api.DirOutgoing {
		t.Errorf("the picked-up call %+v, want outgoing, active with carol, picked up by her", cs)
	}
	waitFor(t, func() bool { return slices.Contains(ringing.did(), "hangup") })
	if got := pick.did(); !slices.Equal(got, []string{"answer"}) {
		t.Errorf("the pickup's INVITE got %v, want answered at once", got)
	}
	if !streamClosed(early) {
		t.Error("the early media's stream is still open")
	}
	r.sync()
	c := r.p.lines.find(cs.CallID)
	if c == nil || c.sipID != pick.id || c.stream == early {
		t.Fatal("the call is not on the pickup's dialog and a stream of its own")
	}
	picked := r.lastStream()
	params := picked.started()
	if len(params) != 1 || params[0].Remote.Port != 31000 {
		t.Errorf("the new stream started with %+v, want it aimed at the pickup's port 31000", params)
	}

	// the cancelled INVITE's end, under the old Call-ID, is no news for the call
	r.sipEvent(ringing.id, inRejected, 487, nil)
	r.sync()
	if c := r.p.lines.find(cs.CallID); c == nil || c.state != stActive {
		t.Error("the cancelled INVITE's 487 ended the picked-up call")
	}
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{CallRef: api.CallRef{CallID: cs.CallID}})
	waitFor(t, func() bool { return slices.Contains(pick.did(), "hangup") })
}

// A pickup whose offer we cannot take (here none: a delayed offer) is refused, 488,
// and the call rings on.
func TestPickupRefusedKeepsTheCallRinging(t *testing.T) {
	r := newRig(t, nil)
	ringing := ringingOutgoing(t, r, api.CallRinging)
	pick := &fakeDialog{id: "sip-pickup"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: pick, From: "sip:carol@127.0.0.1", FromUser: "carol", Replaces: ringing.id})
	})
	waitFor(t, func() bool { return slices.Contains(pick.did(), "reject 488") })
	r.sync()
	if c := r.p.lines.find(ringing.id); c == nil || c.state != stRinging || slices.Contains(ringing.did(), "hangup") {
		t.Errorf("after a refused pickup the call is %v, its INVITE did %v; want it ringing", c, ringing.did())
	}
}

// The digits dialled after the number were for the party that rang: the call picked
// up by someone else sends none of them.
func TestPickedUpCallSendsNoDialStringDigits(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.DTMFDelay = time.Millisecond })
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob,,1234#"})
	ringing := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	r.sipEvent(ringing.id, inRinging, 180, nil)
	r.expectStates(api.CallRinging)
	pick := &fakeDialog{id: "sip-pickup"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: pick, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu), Replaces: ringing.id})
	})
	cs := r.expectStates(api.CallActive)
	r.sync()
	var suffix string
	var scheduled bool
	r.p.post(func() {
		if c := r.p.lines.find(cs.CallID); c != nil {
			suffix, scheduled = c.dtmfSuffix, c.cancelDTMF != nil
		}
	})
	r.sync()
	if suffix != "" || scheduled {
		t.Errorf("picked up by carol: dial-string digits %q kept, sending scheduled %v; want none for her", suffix, scheduled)
	}
}

// A pickup whose 200 cannot be sent (the picker gave up meanwhile) ends the call
// failed rather than showing it active with nobody on it.
func TestPickupWhoseAnswerFailsEndsTheCall(t *testing.T) {
	r := newRig(t, nil)
	ringing := ringingOutgoing(t, r, api.CallRinging)
	pick := &fakeDialog{id: "sip-pickup", answerErr: errors.New("transaction terminated")}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: pick, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu), Replaces: ringing.id})
	})
	if cs := r.expectStates(api.CallEnded); cs.Cause == nil {
		t.Errorf("the failed pickup ended the call without a cause: %+v", cs)
	}
}

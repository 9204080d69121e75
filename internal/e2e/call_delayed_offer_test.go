package e2e

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// answerSIPp answers the call SIPp places to the engine once it rings and
// returns it.
func answerSIPp(t *testing.T, c *client, run *testpeer.SIPpRun) api.CallState {
	t.Helper()
	var in api.CallState
	raw := c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	})
	if raw == nil {
		t.Fatalf("no ringing call\nsipp:\n%s", run.Messages())
	}
	json.Unmarshal(raw, &in)
	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)
	return in
}

// SIPp calls the engine with a delayed offer: an INVITE without SDP. The
// engine's 200 carries its offer and the ACK the answer, in PCMA at SIPp's
// media port, which echoes every packet back: the engine's speaker plays its
// own microphone's tone only if its audio went to the answer's address and
// came back, both ways. SIPp hangs up.
func TestDelayedOfferCarriesAudioBothWays(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_delayed_offer.xml"), Target: e.sipAddr(), Service: "alice",
		Extra: []string{"-rtp_echo"},
	})
	in := answerSIPp(t, c, run)
	got := c.callStates(in.CallID, api.CallEnded, 15*time.Second)
	var codec string
	for _, cs := range got {
		if cs.State == api.CallActive && cs.Codec != "" {
			codec = cs.Codec
		}
	}
	if end := got[len(got)-1]; end.Cause == nil || end.Cause.Kind != api.CauseRemoteHangup || codec != "PCMA" {
		t.Errorf("the call ended %+v after codec %q, want remote_hangup after PCMA (states %v)", end, codec, states(got))
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp exited %d (the 200 must offer PCMA):\n%s", code, log)
	}
	e.stop(t)
	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-1000) > 15 || rms < 300 {
		t.Errorf("the engine heard %.0f Hz at RMS %.0f, want its own 1000 Hz tone back from the echo", hz, rms)
	}
}

// An ACK without the answer to the offer the engine's 200 made ends the call
// with BYE (which the scenario expects) and cause incompatible_media.
func TestDelayedOfferWithoutAnswerEndsTheCall(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_delayed_offer_no_answer.xml"), Target: e.sipAddr(), Service: "alice",
	})
	in := answerSIPp(t, c, run)
	got := c.callStates(in.CallID, api.CallEnded, 10*time.Second)
	if end := got[len(got)-1]; end.Cause == nil || end.Cause.Kind != api.CauseIncompatibleMedia || !strings.Contains(end.Cause.Reason, "ACK") {
		t.Errorf("the call ended %+v, want cause %s from the ACK", end, api.CauseIncompatibleMedia)
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp (INVITE, ACK without SDP, BYE expected) exited %d:\n%s", code, log)
	}
}

// SIPp re-INVITEs the engine without SDP, twice: each 200 carries the engine's
// offer (the scenario checks it) and the answer comes in the ACK. The first
// answer holds the engine (a=sendonly), which it applies and reports; the
// second ACK has no answer, and the engine ends the call with BYE (which the
// scenario expects) and cause incompatible_media.
func TestReInviteWithoutSDPTakesTheAnswerFromTheACK(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_reinvite_no_sdp.xml"), Target: e.sipAddr(), Service: "alice",
	})
	in := answerSIPp(t, c, run)
	got := c.callStates(in.CallID, api.CallEnded, 15*time.Second)
	held := false
	for _, cs := range got {
		held = held || (cs.State == api.CallActive && cs.RemoteHeld)
	}
	if !held {
		t.Errorf("the ACK's a=sendonly answer did not hold the call: states %+v", got)
	}
	if end := got[len(got)-1]; end.Cause == nil || end.Cause.Kind != api.CauseIncompatibleMedia || !strings.Contains(end.Cause.Reason, "ACK") {
		t.Errorf("the call ended %+v, want cause %s from the ACK", end, api.CauseIncompatibleMedia)
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp exited %d:\n%s", code, log)
	}
}

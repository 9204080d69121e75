package e2e

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// sessionTimerCall starts an engine that accepts session intervals down to 2 s (the
// RFC's floor is 90 s: a test-only lowering), has SIPp call it with scenario, answers
// over the WebSocket and returns the call's states from active on, and SIPp's run.
func sessionTimerCall(t *testing.T, scenario string) (*engine, []api.CallState, *testpeer.SIPpRun) {
	t.Helper()
	return sessionTimerCallAsking(t, scenario, 4)
}

// sessionTimerCallAsking is sessionTimerCall with the engine's sip.sessionExpires
// set to sessionExpires (0: off).
func sessionTimerCallAsking(t *testing.T, scenario string, sessionExpires int) (*engine, []api.CallState, *testpeer.SIPpRun) {
	t.Helper()
	e := startEngine(t, engineOptions{
		sip: map[string]any{"sessionExpires": sessionExpires, "minSE": 2},
		env: []string{config.TestMinSEEnv + "=2"},
	})
	c := e.connect(t)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, scenario), Target: e.sipAddr(), Service: "alice",
	})
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	}), &in)
	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)
	return e, c.callStates(in.CallID, api.CallEnded, 20*time.Second), run
}

// A PBX that requires session timers (Session-Expires 4 s, the callee to refresh):
// the engine refreshes with an UPDATE every 2 s, four times, and the far end's
// audio, which starts only after the second refresh, reaches the speaker; the PBX
// then hangs up.
func TestCallLivesPastSessionRefreshes(t *testing.T) {
	e, got, run := sessionTimerCall(t, "uac_session_refresh.xml")
	if want := []string{api.CallActive, api.CallEnded}; !slices.Equal(states(got), want) {
		t.Errorf("states after answer %v, want %v", states(got), want)
	}
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("the call ended %+v, want the PBX's BYE", cs)
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp (four UPDATE refreshes expected) exited %d:\n%s", code, log)
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the audio sent after the second refresh did not arrive", rms)
	}
}

// A caller that takes the refresher's part and never refreshes: the engine ends
// the call with a BYE before the 4 s session expires, with cause session_expired.
func TestCallEndsWhenTheSessionExpires(t *testing.T) {
	_, got, run := sessionTimerCall(t, "uac_session_silent.xml")
	if want := []string{api.CallActive, api.CallEnded}; !slices.Equal(states(got), want) {
		t.Errorf("states after answer %v, want %v", states(got), want)
	}
	end := got[len(got)-1]
	if end.Cause == nil || end.Cause.Kind != api.CauseSessionExpired {
		t.Errorf("the call ended %+v, want cause %s", end, api.CauseSessionExpired)
	}
	if lasted := time.Duration(end.EndedAt-end.AnsweredAt) * time.Millisecond; lasted > 4*time.Second {
		t.Errorf("the call lasted %v, beyond the 4 s session", lasted)
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp (expecting the BYE) exited %d:\n%s", code, log)
	}
}

// The same PBX answers the engine's first refresh 422 with Min-SE 6: the refresh
// goes again at once asking for 6 s, and the next one 3 s later; the call lives
// on with the far end's audio, and the PBX hangs up. The engine runs with
// sip.sessionExpires 0 (off): a timer the caller asks for is still honoured.
func TestSessionRefreshAnswered422IsSentAgain(t *testing.T) {
	e, got, run := sessionTimerCallAsking(t, "uac_session_refresh_422.xml", 0)
	if want := []string{api.CallActive, api.CallEnded}; !slices.Equal(states(got), want) {
		t.Errorf("states after answer %v, want %v", states(got), want)
	}
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("the call ended %+v, want the PBX's BYE", cs)
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp (a refresh sent again after 422, then the next) exited %d:\n%s", code, log)
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the audio sent after the retried refresh did not arrive", rms)
	}
}

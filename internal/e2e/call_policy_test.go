package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// sippCalls starts SIPp calling the engine with the built-in scenario name.
func sippCalls(t *testing.T, e *engine, scenario string) *testpeer.SIPpRun {
	t.Helper()
	return testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, scenario), Target: e.sipAddr(), Service: "alice",
	})
}

// endedCall waits for the call.state that ends an incoming call.
func (c *client) endedCall(timeout time.Duration) api.CallState {
	c.t.Helper()
	var cs api.CallState
	json.Unmarshal(c.next(api.EvCallState, timeout, func(d json.RawMessage) bool {
		var s api.CallState
		json.Unmarshal(d, &s)
		return s.State == api.CallEnded
	}), &cs)
	return cs
}

// sippPassed fails t unless SIPp ran its scenario through.
func sippPassed(t *testing.T, run *testpeer.SIPpRun) {
	t.Helper()
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("sipp exit %d:\n%s\nmessages:\n%s", code, log, run.Messages())
	}
}

// SIPp calls the engine, the user forwards the ringing call with call.forward,
// and SIPp checks the 302's Contact names the target.
func TestForwardARingingCallWith302(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	run := sippCalls(t, e, "uac_forwarded.xml")
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	}), &in)
	c.mustDo(api.CmdCallForward.Name, map[string]any{"callId": in.CallID, "target": "sip:voicemail@pbx.invalid"}, nil)
	end := c.endedCall(5 * time.Second)
	if end.Cause == nil || end.Cause.Kind != api.CauseForwarded || end.Cause.Code != 302 || end.Cause.Reason != "sip:voicemail@pbx.invalid" {
		t.Errorf("ended %+v, want cause forwarded 302 to voicemail", end.Cause)
	}
	sippPassed(t, run)
}

// With forwardAlways the engine forwards every call at once, never ringing it.
func TestForwardAlwaysWith302(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	c.mustDo(api.CmdSettingsSet.Name, map[string]any{"forwardAlways": "sip:voicemail@pbx.invalid"}, nil)
	run := sippCalls(t, e, "uac_forwarded.xml")
	end := c.endedCall(10 * time.Second)
	if end.Cause == nil || end.Cause.Kind != api.CauseForwarded {
		t.Errorf("ended %+v, want cause forwarded", end.Cause)
	}
	sippPassed(t, run)
}

// Do not disturb set to decline answers 603 to SIPp, and the refused call is
// reported, with the policy, as a call that ended unanswered.
func TestDoNotDisturbDeclines(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	c.mustDo(api.CmdSettingsSet.Name, map[string]any{"dnd": true, "dndAction": api.DNDDecline}, nil)
	run := sippCalls(t, e, "uac_declined.xml")
	end := c.endedCall(10 * time.Second)
	if end.Cause == nil || end.Cause.Kind != api.CauseRefused || end.Cause.Code != 603 || end.Cause.Reason != api.RefusedDND {
		t.Errorf("ended %+v, want cause refused 603 dnd", end.Cause)
	}
	if end.Direction != api.DirIncoming || end.PeerUser != "sipp" || end.AnsweredAt != 0 {
		t.Errorf("the refused call %+v: want an unanswered incoming call from sipp", end)
	}
	sippPassed(t, run)
}

// An intercom call (Answer-Mode: Auto) is answered by the engine itself once
// autoAnswerHeaders allows it; SIPp's 200 arrives without call.answer.
func TestIntercomCallAnsweredByItself(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	c.mustDo(api.CmdSettingsSet.Name, map[string]any{"autoAnswerHeaders": true}, nil)
	run := sippCalls(t, e, "uac_intercom.xml")
	var active api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallActive
	}), &active)
	end := c.endedCall(10 * time.Second)
	if end.Cause == nil || end.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("ended %+v, want the caller's BYE", end.Cause)
	}
	sippPassed(t, run)
}

// With forwardOnNoAnswer a call rings for ringTimeout seconds, then the engine
// forwards it with 302; the history sees it ring, then forwarded.
func TestForwardOnNoAnswerWith302(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	c.mustDo(api.CmdSettingsSet.Name, map[string]any{"forwardOnNoAnswer": "sip:voicemail@pbx.invalid", "ringTimeout": 1}, nil)
	run := sippCalls(t, e, "uac_forwarded.xml")
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	}), &in)
	rang := time.Now()
	end := c.endedCall(5 * time.Second)
	if waited := time.Since(rang); waited < 800*time.Millisecond {
		t.Errorf("forwarded %v after it rang, before the 1 s ring timeout", waited)
	}
	if end.CallID != in.CallID || end.Cause == nil || end.Cause.Kind != api.CauseForwarded {
		t.Errorf("ended %+v, want the ringing call forwarded", end)
	}
	sippPassed(t, run)
}

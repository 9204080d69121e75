package e2e

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// secondPhoneHz is the tone of the second far phone, told apart from bob's in what
// the engine's speaker played.
const secondPhoneHz = 600.0

// snapshotLine returns the call on line in the engine's snapshot.
func (c *client) snapshotLine(line int) (api.CallState, int) {
	c.t.Helper()
	var snap api.Snapshot
	c.mustDo(api.CmdStatus.Name, nil, &snap)
	for _, cs := range snap.Lines {
		if cs.Line == line {
			return cs, snap.SelectedLine
		}
	}
	c.t.Fatalf("no call on line %d: %+v", line, snap.Lines)
	return api.CallState{}, 0
}

// waitHeld waits until the call on line is held by us (or no longer is).
func (c *client) waitHeld(line int, held bool) {
	c.t.Helper()
	waitUntil(c.t, 5*time.Second, func() bool { cs, _ := c.snapshotLine(line); return cs.Held == held }, func() string {
		cs, _ := c.snapshotLine(line)
		return "the hold of line " + cs.CallID + " did not change"
	})
}

// within is s cut at the end of the recording pcm: baresip's ends at the re-INVITE
// that holds it, about when s ends.
func within(s span, pcm []int16) span {
	return span{s.from, min(s.to, float64(len(pcm))/audio.SampleRate)}
}

// newTwoPhoneSetup is newCallSetup's kamailio, bob and engine, and carol, a second
// far phone registered there, sending a secondPhoneHz tone and recording what she hears.
func newTwoPhoneSetup(t *testing.T) (*callSetup, *testpeer.Baresip) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "bobpass", "carol": "carolpass"}})
	far := func(user, pass string, hz float64) *testpeer.Baresip {
		wav := filepath.Join(t.TempDir(), user+".wav")
		writeTone(t, wav, hz, 60*time.Second)
		b := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: user, Password: pass, Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true})
		b.WaitRegistered(t, 10*time.Second)
		return b
	}
	bob, carol := far("bob", "bobpass", baresipHz), far("carol", "carolpass", secondPhoneHz)
	e := startEngine(t, engineOptions{inputHz: engineHz, account: map[string]any{
		"server": kam.Addr, "username": "alice", "password": "secret", "register": true,
	}})
	c := e.connect(t)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	}
	return &callSetup{kam: kam, bob: bob, e: e, c: c}, carol
}

// Two far phones on two lines: only the selected line hears the engine's microphone
// and is heard. Bob (line 1) is in a call when carol calls; her call rings on line 2
// and bob's stays selected. Answered without auto-hold, carol hears the engine's tone
// and bob hears silence, never her conversation, and the engine plays carol only.
// With auto-hold, turning back to line 1 holds carol (a re-INVITE she sees) and bob
// hears the engine again; turning to line 2 holds bob and resumes carol, whose
// media flows again.
func TestLinesConnectOnlyTheSelectedCall(t *testing.T) {
	s, carol := newTwoPhoneSetup(t)
	s.c.mustDo(api.CmdSettingsSet.Name, map[string]any{"autoHold": false}, nil)

	var bob api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &bob)
	s.c.callStates(bob.CallID, api.CallActive, 10*time.Second)
	tBob := time.Now() // the engine's speaker and bob's recordings start about now
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	time.Sleep(1500 * time.Millisecond) // audio both ways with bob

	carol.Dial(t, "sip:alice@"+s.kam.Addr)
	var waiting api.CallState
	json.Unmarshal(s.c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &waiting)
		return waiting.State == api.CallRinging && waiting.Direction == api.DirIncoming
	}), &waiting)
	if _, selected := s.c.snapshotLine(waiting.Line); waiting.Line != 2 || selected != 1 {
		t.Fatalf("call waiting on line %d with line %d selected; want line 2, line 1 selected", waiting.Line, selected)
	}
	tCarol := time.Now()
	s.c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": waiting.CallID}, nil)
	s.c.callStates(waiting.CallID, api.CallActive, 5*time.Second)
	tSwitched := time.Now()
	carol.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	if cs, _ := s.c.snapshotLine(1); cs.Held {
		t.Error("bob was held without auto-hold")
	}
	time.Sleep(1500 * time.Millisecond) // the engine with carol; bob hears silence

	s.c.mustDo(api.CmdSettingsSet.Name, map[string]any{"autoHold": true}, nil)
	skipEvents(t, carol, eventRemoteSDP)
	tBack := time.Now()
	s.c.mustDo(api.CmdLineSelect.Name, map[string]any{"line": 1}, nil)
	s.c.waitHeld(2, true)
	if ev := carol.WaitEvent(t, eventRemoteSDP, 3*time.Second); ev.Param != "offer" {
		t.Errorf("carol saw the auto-hold as %q, want an offer", ev.Param)
	}
	time.Sleep(1500 * time.Millisecond) // the engine with bob again

	skipEvents(t, s.bob, eventRemoteSDP)
	tBobHeld := time.Now()
	s.c.mustDo(api.CmdLineSelect.Name, map[string]any{"line": 2}, nil)
	s.c.waitHeld(1, true)
	s.c.waitHeld(2, false)
	if ev := s.bob.WaitEvent(t, eventRemoteSDP, 3*time.Second); ev.Param != "offer" {
		t.Errorf("bob saw the auto-hold as %q, want an offer", ev.Param)
	}
	// carol's media flows again: she gets DTMF, which rides the audio stream.
	s.c.mustDo(api.CmdCallDTMF.Name, map[string]any{"line": 2, "digits": "7"}, nil)
	waitUntil(t, 3*time.Second, func() bool { return carol.DTMFReceived() == "7" }, func() string {
		return "carol received DTMF " + carol.DTMFReceived() + " after the resume"
	})
	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"all": true}, nil)
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	carol.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	s.e.stop(t) // finishes the speaker WAV

	settle := 300 * time.Millisecond
	withBob := since(tBob, tBob, tCarol, settle)
	withCarol := since(tBob, tSwitched, tBack, settle)
	bobAgain := since(tBob, tBack, tBobHeld, settle)

	// bob heard the engine, then silence while the engine talked with carol, then the
	// engine again (no re-INVITE reached him before tBobHeld: his recording goes on).
	bobPCM := readWAV(t, decodedDump(t, s.bob))
	checkHeldRecording(t, "bob's recording", bobPCM, engineHz, withBob, withCarol, within(bobAgain, bobPCM))
	// carol heard the engine from her answer until she was held (her recording ends
	// at that re-INVITE: baresip 1.0 does not rebuild its filter chain).
	carolPCM := readWAV(t, decodedDump(t, carol))
	if f, rms := measure(t, "carol's recording", carolPCM, within(span{settle.Seconds(), tBack.Sub(tSwitched).Seconds()}, carolPCM)); math.Abs(f-engineHz) > 15 || rms < 500 {
		t.Errorf("carol heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", f, rms, engineHz)
	}
	// The engine played bob, then carol only, then bob.
	speaker := readWAV(t, s.e.outWAV)
	for _, part := range []struct {
		what string
		s    span
		hz   float64
	}{{"with bob", withBob, baresipHz}, {"with carol", withCarol, secondPhoneHz}, {"with bob again", bobAgain, baresipHz}} {
		if f, rms := measure(t, "engine speaker", speaker, part.s); math.Abs(f-part.hz) > 15 || rms < 500 {
			t.Errorf("engine speaker %s (%.1f-%.1f s): %.0f Hz at RMS %.0f, want %.0f Hz", part.what, part.s.from, part.s.to, f, rms, part.hz)
		}
	}
}

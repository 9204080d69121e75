package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Levels that tell a tone heard from one not heard, as audio.ToneLevel gives them
// (the tones are sent at a peak of 8000, a level of about 0.24).
const (
	heardLevel  = 0.08
	absentLevel = 0.02
)

// toneLevel returns the level of the tone at hz in pcm over s.
func toneLevel(t *testing.T, name string, pcm []int16, s span, hz float64) float64 {
	t.Helper()
	from, to := int(s.from*audio.SampleRate), int(s.to*audio.SampleRate)
	if from < 0 || to > len(pcm) || to-from < audio.SampleRate/4 {
		t.Fatalf("%s: span %.2f-%.2f s does not fit a %.2f s recording", name, s.from, s.to, float64(len(pcm))/audio.SampleRate)
	}
	return audio.ToneLevel(pcm[from:to], audio.SampleRate, hz)
}

// checkTones asserts that pcm over s holds the tones heard and not those absent.
func checkTones(t *testing.T, name string, pcm []int16, s span, heard, absent []float64) {
	t.Helper()
	for _, hz := range heard {
		if lv := toneLevel(t, name, pcm, s, hz); lv < heardLevel {
			t.Errorf("%s (%.1f-%.1f s): %.0f Hz at level %.3f, want it heard", name, s.from, s.to, hz, lv)
		}
	}
	for _, hz := range absent {
		if lv := toneLevel(t, name, pcm, s, hz); lv > absentLevel {
			t.Errorf("%s (%.1f-%.1f s): %.0f Hz at level %.3f, want it absent", name, s.from, s.to, hz, lv)
		}
	}
}

// A local conference of the engine and two baresip phones through kamailio: bob
// (line 1, called by the engine) and carol (line 2, calling it) are joined with
// conference.add. Each phone's recording holds the engine's tone and the other
// phone's, never its own; the engine's speaker plays both phones. Removed from the
// conference (auto-hold off: no re-INVITE, the recordings go on), carol no longer
// hears bob nor bob her, and bob still hears the engine.
func TestConferenceMixesTwoBaresipsAndTheEngine(t *testing.T) {
	s, carol := newTwoPhoneSetup(t)
	s.c.mustDo(api.CmdSettingsSet.Name, map[string]any{"autoHold": false}, nil)

	var bob api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &bob)
	s.c.callStates(bob.CallID, api.CallActive, 10*time.Second)
	tBob := time.Now() // the engine's speaker and bob's recordings start about now
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)

	carol.Dial(t, "sip:alice@"+s.kam.Addr)
	var incoming api.CallState
	json.Unmarshal(s.c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &incoming)
		return incoming.State == api.CallRinging && incoming.Direction == api.DirIncoming
	}), &incoming)
	s.c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": incoming.CallID}, nil)
	s.c.callStates(incoming.CallID, api.CallActive, 5*time.Second)
	tCarol := time.Now() // carol's recording starts about now
	carol.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	time.Sleep(500 * time.Millisecond)

	tConf := time.Now()
	s.c.mustDo(api.CmdConferenceAdd.Name, map[string]any{"callId": bob.CallID}, nil)
	for line := 1; line <= 2; line++ {
		if cs, _ := s.c.snapshotLine(line); !cs.Conference || cs.Held {
			t.Fatalf("line %d after conference.add: conference %v, held %v; want in the conference, not held", line, cs.Conference, cs.Held)
		}
	}
	time.Sleep(2 * time.Second) // the three parties talk

	tRemoved := time.Now()
	s.c.mustDo(api.CmdConferenceRemove.Name, map[string]any{"callId": incoming.CallID}, nil)
	if cs, selected := s.c.snapshotLine(1); cs.Conference || selected != 1 {
		t.Errorf("after carol left: bob's conference %v, selected line %d; want a plain call on the selected line 1", cs.Conference, selected)
	}
	time.Sleep(1500 * time.Millisecond) // the engine with bob only; carol hears silence
	tEnd := time.Now()

	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"all": true}, nil)
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	carol.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	s.e.stop(t) // finishes the speaker WAV

	settle := 400 * time.Millisecond
	bobPCM := readWAV(t, decodedDump(t, s.bob))
	checkTones(t, "bob in the conference", bobPCM, since(tBob, tConf, tRemoved, settle), []float64{engineHz, secondPhoneHz}, []float64{baresipHz})
	checkTones(t, "bob after carol left", bobPCM, within(since(tBob, tRemoved, tEnd, settle), bobPCM), []float64{engineHz}, []float64{secondPhoneHz, baresipHz})

	carolPCM := readWAV(t, decodedDump(t, carol))
	checkTones(t, "carol in the conference", carolPCM, since(tCarol, tConf, tRemoved, settle), []float64{engineHz, baresipHz}, []float64{secondPhoneHz})
	checkTones(t, "carol after she left", carolPCM, within(since(tCarol, tRemoved, tEnd, settle), carolPCM), nil, []float64{engineHz, baresipHz})

	speaker := readWAV(t, s.e.outWAV)
	checkTones(t, "engine speaker in the conference", speaker, since(tBob, tConf, tRemoved, settle), []float64{baresipHz, secondPhoneHz}, []float64{engineHz})
	checkTones(t, "engine speaker after carol left", speaker, within(since(tBob, tRemoved, tEnd, settle), speaker), []float64{baresipHz}, []float64{secondPhoneHz})
}

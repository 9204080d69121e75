package e2e

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// SIPp calls the engine, playing G.711 A-law audio and then RFC 4733 DTMF 1, 2, 3 from
// the sip-tester pcaps (events whose first packet has duration 0). The call is answered
// over the WebSocket; the audio must reach the speaker and each digit must be reported
// exactly once.
func TestSIPpCallsEngineWithAudioAndDTMF(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	dir := testpeer.SIPpPcapDir(t)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_pcap_dtmf.xml"), Target: e.sipAddr(), Service: "alice", Dir: dir,
	})

	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	}), &in)
	if in.Direction != api.DirIncoming || in.Line != 1 {
		t.Fatalf("incoming call %+v", in)
	}
	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)

	var digits []string
	var states []string
	deadline := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case ev := <-c.events:
			switch ev.Event {
			case api.EvCallDTMF:
				var d api.DTMFEvent
				json.Unmarshal(ev.Data, &d)
				if d.CallID != in.CallID || d.Line != 1 {
					t.Errorf("dtmf event for another call: %+v", d)
				}
				digits = append(digits, d.Digit)
			case api.EvCallState:
				var cs api.CallState
				json.Unmarshal(ev.Data, &cs)
				states = append(states, cs.State)
				if cs.State == api.CallEnded {
					if cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup || cs.Codec != "PCMA" {
						t.Errorf("ended %+v", cs)
					}
					done = true
				}
			}
		case <-deadline:
			t.Fatalf("call did not end; states %v, digits %v\nsipp:\n%s", states, digits, run.Messages())
		}
	}
	if want := []string{api.CallActive, api.CallEnded}; !slices.Equal(states, want) {
		t.Errorf("states after answer %v, want %v", states, want)
	}
	if want := []string{"1", "2", "3"}; !slices.Equal(digits, want) {
		t.Errorf("digits %v, want %v", digits, want)
	}
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("sipp exit %d:\n%s", code, log)
	}
	e.stop(t)
	_, rms := loudest(readWAV(t, e.outWAV))
	if rms < 300 {
		t.Errorf("speaker RMS %.0f: the pcap's audio did not arrive", rms)
	}
}

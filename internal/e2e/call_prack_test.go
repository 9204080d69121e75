package e2e

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// dialSIPp makes an engine whose account is SIPp's address call it, and returns the
// call's states up to its end.
func dialSIPp(t *testing.T, sipp *testpeer.SIPpRun) (*engine, []api.CallState) {
	t.Helper()
	e := startEngine(t, engineOptions{account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "register": false,
	}})
	c := e.connect(t)
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	return e, c.callStates(res.CallID, api.CallEnded, 15*time.Second)
}

// The engine calls a phone that rings reliably (RFC 3262): a 183 with SDP and then a
// 180 without, each PRACKed (SIPp checks the RAcks, and the ACK's CSeq after them).
// The 183's SDP is early media; the call is answered, with the pcap's audio, and the
// phone hangs up.
func TestReliableProvisionalsArePRACKed(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_prack_answer.xml")})
	e, got := dialSIPp(t, sipp)
	endedByPeerWithAudio(t, e, sipp, got, "reliable 183 and 180, each PRACKed",
		api.CallDialing, api.CallEarly, api.CallActive, api.CallEnded)
}

// SIPp calls the engine requiring 100rel: the engine's 180 comes reliably and SIPp
// PRACKs it (SIPp checks the 180's Require and RSeq and the PRACK's 200). The call is
// answered over the WebSocket and carries the pcap's audio until SIPp hangs up.
func TestCallerRequiringReliableRingingIsAnswered(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_prack_ringing.xml"), Target: e.sipAddr(), Service: "alice",
	})
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	}), &in)
	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)
	got := c.callStates(in.CallID, api.CallEnded, 15*time.Second)
	endedByPeerWithAudio(t, e, sipp, got, "requiring 100rel, PRACKing the 180", api.CallActive, api.CallEnded)
}

// The engine calls a phone whose early media changes: a reliable 183 in PCMU,
// PRACKed, then an UPDATE in the early dialog offering PCMA (RFC 3311 section 5.1),
// which the engine answers in PCMA (SIPp checks the answer). The 200 keeps PCMA, and
// the call carries the pcap's A-law audio.
func TestEarlyUpdateChangesTheCodec(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_prack_update.xml")})
	e, got := dialSIPp(t, sipp)
	endedByPeerWithAudio(t, e, sipp, got, "reliable 183, PRACK, early UPDATE",
		api.CallDialing, api.CallEarly, api.CallActive, api.CallEnded)
}

// endedByPeerWithAudio checks the end of a PRACK test: the call went through want
// and ended with the SIPp peer's BYE on a PCMA call, SIPp's scenario (what) passed,
// and the peer's pcap audio reached the engine's speaker.
func endedByPeerWithAudio(t *testing.T, e *engine, sipp *testpeer.SIPpRun, got []api.CallState, what string, want ...string) {
	t.Helper()
	if !slices.Equal(states(got), want) {
		t.Errorf("states %v, want %v", states(got), want)
	}
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup || cs.Codec != "PCMA" {
		t.Errorf("the call ended %+v, want the peer's BYE on a PCMA call", cs)
	}
	if code, log := sipp.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("SIPp (%s) exited %d:\n%s", what, code, log)
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the peer's audio did not arrive", rms)
	}
}

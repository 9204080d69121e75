package e2e

import (
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
	if want := []string{api.CallDialing, api.CallEarly, api.CallActive, api.CallEnded}; !slices.Equal(states(got), want) {
		t.Errorf("states %v, want %v", states(got), want)
	}
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup || cs.Codec != "PCMA" {
		t.Errorf("the call ended %+v, want the phone's BYE on a PCMA call", cs)
	}
	if code, log := sipp.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("SIPp (reliable 183 and 180, each PRACKed) exited %d:\n%s", code, log)
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the phone's audio did not arrive", rms)
	}
}

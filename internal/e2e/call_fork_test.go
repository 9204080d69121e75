package e2e

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// One INVITE answered twice, as a forking proxy delivers two phones' answers: the
// call is active on the first 200, with its audio, and the second dialog is ACKed
// and ended with a BYE on its own To tag (SIPp's scenario fails otherwise). The
// first phone hangs up 3 s later.
func TestForkedAnswerKeepsTheFirstDialog(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_fork_answer.xml")})
	e := startEngine(t, engineOptions{account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "register": false,
	}})
	c := e.connect(t)
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 15*time.Second)
	if want := []string{api.CallDialing, api.CallActive, api.CallEnded}; !slices.Equal(states(got), want) {
		t.Errorf("states %v, want %v", states(got), want)
	}
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup || cs.Codec != "PCMA" {
		t.Errorf("the call ended %+v, want the first fork's BYE on a PCMA call", cs)
	}
	if code, log := sipp.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("SIPp (two forks, BYE on the second) exited %d:\n%s", code, log)
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the first fork's audio did not arrive", rms)
	}
}

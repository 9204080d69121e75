package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// The engine calls SIPp, whose SDP gives the call no media the engine can use:
// early media or an answer in a codec it did not offer, or a 200 OK without
// the answer. The engine ends its attempt at once, with CANCEL for the 183 and
// ACK then BYE for the 200 (each scenario expects exactly that), and reports
// cause incompatible_media; the call is never early or active meanwhile.
func TestUnusableAnswerEndsTheCall(t *testing.T) {
	for _, scenario := range []string{"uas_183_no_codec.xml", "uas_200_no_codec.xml", "uas_200_no_sdp.xml"} {
		t.Run(scenario, func(t *testing.T) {
			sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, scenario)})
			e := startEngine(t, engineOptions{account: map[string]any{
				"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "password": "secret",
				"register": false,
			}})
			c := e.connect(t)
			var res api.DialResult
			c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
			got := c.callStates(res.CallID, api.CallEnded, 10*time.Second)
			for _, cs := range got {
				if cs.State == api.CallEarly || cs.State == api.CallActive {
					t.Errorf("unusable SDP made the call %s: %+v", cs.State, cs)
				}
			}
			if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseIncompatibleMedia {
				t.Errorf("the call ended %+v, want cause %s", cs, api.CauseIncompatibleMedia)
			}
			if code, log := sipp.Wait(t, 10*time.Second); code != 0 {
				t.Errorf("SIPp exited %d:\n%s", code, log)
			}
		})
	}
}

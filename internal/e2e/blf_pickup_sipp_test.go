package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Pickup of a ringing colleague's call by INVITE with Replaces (RFC 3891), the
// dialog named from kamailio's dialog-info: baresip carol calls x, a SIPp UAS
// registered at kamailio that rings; the engine (alice) watches x's busy lamp,
// sees it ringing, and picks up with blf.pickup and no feature code. SIPp
// answers only a Replaces whose Call-ID and tags are those of carol's early
// dialog with it (else 481), then ends carol's INVITE with 487. The picked-up
// call's audio flows both ways: SIPp's media port echoes every packet, so the
// engine hears its own tone only through it. SIPp hangs up.
func TestBLFPickupWithReplacesThroughKamailio(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true})
	x := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_pickup.xml"), Service: "x", Calls: 2,
		Extra: []string{"-rtp_echo"},
	})
	reg := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_register_for.xml"), Target: kam.Addr, Service: "x",
		Extra: []string{"-key", "contact_port", fmt.Sprint(x.LocalPort)},
	})
	sippPassed(t, reg)
	wav := filepath.Join(t.TempDir(), "tone.wav")
	writeTone(t, wav, 600, 60*time.Second)
	carol := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "carol", Registrar: kam.Addr, SourceWAV: wav})
	carol.WaitRegistered(t, notifyWithin)

	e := startEngine(t, engineOptions{account: map[string]any{"server": kam.Addr, "username": "alice", "register": true}})
	c := e.connect(t)
	c.mustDo(api.CmdContactsSet.Name, map[string]any{"name": "X", "number": "x", "blf": true}, nil)

	carol.Dial(t, "sip:x@"+kam.Addr)
	c.next(api.EvBLF, notifyWithin, func(d json.RawMessage) bool {
		var st api.BLFState
		json.Unmarshal(d, &st)
		return st.Number == "x" && st.Lamp == api.LampRinging && st.Direction == "recipient"
	})

	var picked api.DialResult
	c.mustDo(api.CmdBLFPickup.Name, map[string]any{"number": "x"}, &picked)
	seen := c.callStates(picked.CallID, api.CallEnded, 20*time.Second)
	if !slices.ContainsFunc(seen, func(cs api.CallState) bool { return cs.State == api.CallActive }) {
		t.Fatalf("the pickup call went %v, never active\nx:\n%s", states(seen), x.Messages())
	}
	if end := seen[len(seen)-1]; end.Cause == nil || end.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("the pickup call ended %+v, want remote_hangup (x's BYE)", end)
	}
	if ev := carol.WaitEvent(t, "CALL_CLOSED", 10*time.Second); !strings.Contains(ev.Param, "487") {
		t.Errorf("carol's ringing call closed with %q, want x's 487", ev.Param)
	}
	sippPassed(t, x)
	e.stop(t)
	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-1000) > 15 || rms < 300 {
		t.Errorf("the engine heard %.0f Hz at RMS %.0f, want its own 1000 Hz tone back through the picked-up call", hz, rms)
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// The transferee's side of an attended transfer, over the wire: SIPp calls the
// engine (answered), and its 3PCC twin, given the dialog's Call-ID and tags, calls
// with Replaces naming it (RFC 3891). The engine answers the new call at once on
// the same line, ends the replaced one with BYE (which the first SIPp expects) and
// cause transferred, and the new call's audio flows both ways: the twin's media
// port echoes every packet, so the engine hears its own tone only through it.
func TestIncomingReplacesTakesTheCallsPlace(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	port := testpeer.FreePort(t)
	link := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	twin := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_replacing_b.xml"), Target: e.sipAddr(), Service: "alice",
		Extra: []string{"-3pcc", link, "-rtp_echo"},
	})
	testpeer.WaitTCPListening(t, port, 10*time.Second) // the first SIPp connects to its twin at once
	first := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_replaced_a.xml"), Target: e.sipAddr(), Service: "alice",
		Extra: []string{"-3pcc", link},
	})
	old := answerSIPp(t, c, first)

	var oldEnd, newActive, newEnd *api.CallState
	deadline := time.After(20 * time.Second)
	for newEnd == nil {
		select {
		case ev := <-c.events:
			if ev.Event != api.EvCallState {
				continue
			}
			var cs api.CallState
			json.Unmarshal(ev.Data, &cs)
			switch {
			case cs.CallID == old.CallID && cs.State == api.CallEnded:
				oldEnd = &cs
			case cs.CallID != old.CallID && cs.State == api.CallActive && newActive == nil:
				newActive = &cs
			case cs.CallID != old.CallID && cs.State == api.CallEnded:
				newEnd = &cs
			}
		case <-deadline:
			t.Fatalf("no replacing call ended within 20 s (replaced %v, replacing %v)\nfirst:\n%s\ntwin:\n%s",
				oldEnd, newActive, first.Messages(), twin.Messages())
		}
	}
	if oldEnd == nil || oldEnd.Cause == nil || oldEnd.Cause.Kind != api.CauseTransferred || !strings.Contains(oldEnd.Cause.Reason, "carol") {
		t.Errorf("the replaced call ended %+v, want cause transferred, replaced by carol", oldEnd)
	}
	if newActive == nil || newActive.PeerUser != "carol" || newActive.Line != old.Line {
		t.Errorf("the replacing call %+v, want carol active on line %d", newActive, old.Line)
	}
	if newEnd.Cause == nil || newEnd.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("the replacing call ended %+v, want remote_hangup", newEnd)
	}
	if code, log := first.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("the first SIPp (call, then BYE from the engine) exited %d:\n%s", code, log)
	}
	if code, log := twin.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("the twin (INVITE with Replaces answered at once) exited %d:\n%s", code, log)
	}
	e.stop(t)
	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-1000) > 15 || rms < 300 {
		t.Errorf("the engine heard %.0f Hz at RMS %.0f, want its own 1000 Hz tone back through the replacing call", hz, rms)
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Our call picked up while it rings (RFC 3891 section 7.1), through kamailio: the
// engine calls x, a SIPp UAS registered there that rings and waits for a CANCEL; a
// second SIPp, the picker, sends the engine through kamailio an INVITE with Replaces
// naming that early dialog (its Call-ID and tags read from the 180 in the engine's
// SIP trace). The engine answers it at once in the ringing call's place: the same
// call goes active with carol (pickedUpBy), the ringing INVITE is cancelled (x
// answers the CANCEL 200 and the INVITE 487, or fails), and the call's audio flows
// both ways: the picker echoes every packet, so the engine hears its own tone only
// through it.
func TestRingingCallPickedUpWithReplacesThroughKamailio(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	x := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_cancel_after_ring.xml"), Service: "x", Calls: 1,
	})
	reg := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_register_for.xml"), Target: kam.Addr, Service: "x",
		Extra: []string{"-key", "contact_port", fmt.Sprint(x.LocalPort)},
	})
	sippPassed(t, reg)

	e := startEngine(t, engineOptions{account: map[string]any{"server": kam.Addr, "username": "alice", "register": true}})
	c := e.connect(t)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	}
	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"sipTrace": true}, nil)
	var dialed api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "x"}, &dialed)
	var ringing api.SIPTrace
	json.Unmarshal(c.next(api.EvSIPTrace, 10*time.Second, func(d json.RawMessage) bool {
		var tr api.SIPTrace
		json.Unmarshal(d, &tr)
		return tr.Dir == "recv" && strings.HasPrefix(tr.Message, "SIP/2.0 180")
	}), &ringing)
	callID, ours, theirs := earlyDialog(t, ringing.Message)

	picker := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_pickup.xml"), Target: kam.Addr, Service: "alice",
		Extra: []string{"-key", "replaces", fmt.Sprintf("%s;to-tag=%s;from-tag=%s", callID, ours, theirs), "-rtp_echo"},
	})
	seen := c.callStates(dialed.CallID, api.CallEnded, 20*time.Second)
	i := slices.IndexFunc(seen, func(cs api.CallState) bool { return cs.State == api.CallActive })
	if i < 0 {
		t.Fatalf("our call went %v, never active\npicker:\n%s\nx:\n%s", states(seen), picker.Messages(), x.Messages())
	}
	if active := seen[i]; active.PeerUser != "carol" || !strings.Contains(active.PickedUpBy, "carol") || active.Line != dialed.Line {
		t.Errorf("the picked-up call %+v, want active with carol on line %d, picked up by her", active, dialed.Line)
	}
	if end := seen[len(seen)-1]; end.Cause == nil || end.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("the picked-up call ended %+v, want remote_hangup (the picker's BYE)", end)
	}
	sippPassed(t, x)
	sippPassed(t, picker)
	e.stop(t)
	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-1000) > 15 || rms < 300 {
		t.Errorf("the engine heard %.0f Hz at RMS %.0f, want its own 1000 Hz tone back through the picked-up call", hz, rms)
	}
}

// earlyDialog reads the early dialog of a provisional response to our INVITE: its
// Call-ID, our tag (From) and the ringing party's (To).
func earlyDialog(t *testing.T, msg string) (callID, ours, theirs string) {
	t.Helper()
	header := func(names ...string) string {
		for line := range strings.Lines(msg) {
			name, value, ok := strings.Cut(line, ":")
			if ok && slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(strings.TrimSpace(name), n) }) {
				return strings.TrimSpace(value)
			}
		}
		return ""
	}
	tag := func(v string) string {
		if m := tagParam.FindStringSubmatch(v); m != nil {
			return m[1]
		}
		return ""
	}
	callID, ours, theirs = header("Call-ID", "i"), tag(header("From", "f")), tag(header("To", "t"))
	if callID == "" || ours == "" || theirs == "" {
		t.Fatalf("no early dialog in the 180:\n%s", msg)
	}
	return callID, ours, theirs
}

// tagParam is a header's tag parameter.
var tagParam = regexp.MustCompile(`;\s*tag=([^;>\s]+)`)

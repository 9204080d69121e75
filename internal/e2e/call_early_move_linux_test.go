package e2e

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// The engine's address moves while its call still rings with early media (RFC 3311
// section 5.1). SIPp, a phone in the provider's namespace, rings with a reliable
// 183 whose SDP answers the INVITE's offer and whose Allow lists UPDATE; the
// engine PRACKs it. Then the engine's address on the link is replaced: the engine
// opens RTP on the new address and offers it in an UPDATE in the early dialog,
// whose c= line SIPp checks is the new address. SIPp answers it, answers the
// call, and plays its audio toward the new address, which reaches the engine's
// speaker; then it hangs up.
func TestEarlyUpdateFollowsTheNetwork(t *testing.T) {
	provider := testpeer.StartNamespace(t, "provider")
	next := movedAddress(provider.LocalIP)
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_prack_update_moved.xml"),
		Host: provider.Host(), Extra: []string{"-set", "newip", next, "-rtp_echo"}})
	e := startEngine(t, engineOptions{
		sip: map[string]any{"listenIP": config.Default().SIP.ListenIP},
		account: map[string]any{"server": provider.IP + ":" + strconv.Itoa(sipp.LocalPort), "username": "alice",
			"register": false},
	})
	c := e.connect(t)
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEarly, 10*time.Second)

	if moved := provider.MoveLocalIP(t); moved != next {
		t.Fatalf("the engine's address moved to %s; SIPp expects %s", moved, next)
	}
	got = append(got, c.callStates(res.CallID, api.CallEnded, 20*time.Second)...)
	if want := []string{api.CallDialing, api.CallEarly, api.CallActive, api.CallEnded}; !slices.Equal(states(got), want) {
		t.Errorf("states %v, want %v", states(got), want)
	}
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("the call ended %+v, want the peer's BYE", cs)
	}
	if code, log := sipp.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("SIPp (reliable 183, PRACK, an UPDATE from the new address) exited %d:\n%s", code, log)
	}
	e.stop(t)
	// SIPp echoes the engine's tone to where it comes from. The call rang from the
	// old address for a fraction of a second, then talked from the new one for three
	// seconds: two loud seconds of the tone came back through the new socket.
	heard := tonesHeard(readWAV(t, e.outWAV))
	if n := len(slices.DeleteFunc(heard, func(hz float64) bool { return math.Abs(hz-engineHz) > 15 })); n < 2 {
		t.Errorf("the speaker heard the engine's echoed %.0f Hz for %d s (tones %v), want 2 s or more after the move", engineHz, n, heard)
	}
}

// movedAddress is the address MoveLocalIP gives the test's end of a link whose
// address is ip: the next but one on its subnet (.1 becomes .3).
func movedAddress(ip string) string {
	i := strings.LastIndexByte(ip, '.')
	if ip[i+1:] == "3" {
		return ip[:i] + ".4"
	}
	return ip[:i] + ".3"
}

package e2e

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// A redirect to a phone on another network: the redirect server (SIPp) is in one
// namespace, the phone it names (SIPp) in another, each reached only through its
// own link from its own local address. The engine follows the 302 from the
// second link's address and offers media opened there: the phone, which has no
// route to the first link, sends its audio to it and the speaker hears it.
func TestRedirectToAnotherNetworkConnectsWithAudio(t *testing.T) {
	provider := testpeer.StartNamespace(t, "provider")
	office := testpeer.StartNamespace(t, "office")
	phone := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_pcap_answer.xml"), Host: office.Host()})
	target := office.IP + ":" + strconv.Itoa(phone.LocalPort)
	redirector := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_redirect.xml"), Dir: t.TempDir(), Service: "carol",
		Host: provider.Host(), Extra: []string{"-key", "target", target}})
	e := startEngine(t, engineOptions{
		sip: map[string]any{"listenIP": config.Default().SIP.ListenIP},
		account: map[string]any{"server": provider.IP + ":" + strconv.Itoa(redirector.LocalPort), "username": "alice",
			"register": false},
	})
	c := e.connect(t)

	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 15*time.Second)
	if seen := slices.DeleteFunc(states(got), func(s string) bool { return s == api.CallRinging }); !slices.Equal(seen,
		[]string{api.CallDialing, api.CallDialing, api.CallActive, api.CallEnded}) {
		t.Fatalf("states %v, want dialing, dialing again after the 302, (ringing,) active, ended", states(got))
	}
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup || cs.Codec != "PCMA" {
		t.Errorf("the call ended %+v, want the redirected-to phone's BYE on a PCMA call", cs)
	}
	if code, log := redirector.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("redirect server exited %d:\n%s", code, log)
	}
	if code, log := phone.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("redirected-to phone exited %d:\n%s", code, log)
	}
	if msgs := phone.Messages(); !strings.Contains(msgs, "c=IN IP4 "+office.LocalIP+"\r\n") && !strings.Contains(msgs, "c=IN IP4 "+office.LocalIP+"\n") {
		t.Errorf("the redirected INVITE does not offer media on %s:\n%s", office.LocalIP, msgs)
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the redirected-to phone's audio did not arrive", rms)
	}
}

package e2e

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// redirectEngine is an engine whose account's server is the SIPp at port, not
// registering, with sip fields over the defaults.
func redirectEngine(t *testing.T, port int, sip map[string]any) *engine {
	return startEngine(t, engineOptions{sip: sip, account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(port), "username": "alice", "register": false,
	}})
}

// A redirect server answers the engine's INVITE with 302 to a second SIPp, which
// answers with audio and hangs up 3 s later: the call keeps its id, says where it
// went, becomes active on the second and its audio reaches the speaker.
func TestRedirectedCallConnectsWithAudio(t *testing.T) {
	dir := testpeer.SIPpPcapDir(t)
	phone := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_pcap_answer.xml"), Dir: dir})
	redirector := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_redirect.xml"), Dir: t.TempDir(), Service: "carol",
		Extra: []string{"-key", "target", "127.0.0.1:" + strconv.Itoa(phone.LocalPort)}})
	e := redirectEngine(t, redirector.LocalPort, nil)
	c := e.connect(t)

	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 15*time.Second)
	// The phone's 180 and 200 leave back to back, and the 200 may overtake the 180:
	// ringing is not required.
	if seen := slices.DeleteFunc(states(got), func(s string) bool { return s == api.CallRinging }); !slices.Equal(seen,
		[]string{api.CallDialing, api.CallDialing, api.CallActive, api.CallEnded}) {
		t.Fatalf("states %v, want dialing, dialing again after the 302, (ringing,) active, ended", states(got))
	}
	moved := "sip:carol@127.0.0.1:" + strconv.Itoa(phone.LocalPort)
	if cs := got[1]; cs.Peer != moved || cs.SIPCode != 302 {
		t.Errorf("after the 302 the call reads %+v, want peer %s and sipCode 302", cs, moved)
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
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the redirected-to phone's audio did not arrive", rms)
	}
}

// A 302 pointing back at a target already tried ends the call, rejected with the
// 302 and reason "redirect loop", after the second INVITE.
func TestRedirectLoopEndsTheCall(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_redirect_loop.xml"), Dir: t.TempDir()})
	e := redirectEngine(t, sipp.LocalPort, nil)
	c := e.connect(t)
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 10*time.Second)
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRejected ||
		cs.Cause.Code != 302 || cs.Cause.Reason != "redirect loop" {
		t.Errorf("the call ended %+v, want rejected 302 redirect loop", cs)
	}
	if code, log := sipp.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("SIPp (INVITE, 302, ACK twice) exited %d:\n%s", code, log)
	}
}

// With sip.followRedirects off, a 302 ends the call as rejected with its code.
func TestRedirectNotFollowedWhenOff(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_redirect.xml"), Dir: t.TempDir(),
		Extra: []string{"-key", "target", "127.0.0.1:9"}})
	e := redirectEngine(t, sipp.LocalPort, map[string]any{"followRedirects": false})
	c := e.connect(t)
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 10*time.Second)
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRejected || cs.Cause.Code != 302 {
		t.Errorf("the call ended %+v, want rejected 302", cs)
	}
	if code, log := sipp.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("SIPp exited %d:\n%s", code, log)
	}
	if n := strings.Count(sipp.Messages(), "INVITE sip:"); n != 1 {
		t.Errorf("%d INVITEs reached the redirect server, want 1", n)
	}
}

// The redirect names a phone that listens on TCP only (Contact with
// transport=tcp): the engine, which dialled the redirect server over UDP, calls it
// over TCP, and the call connects there with its audio.
func TestRedirectToTCPContactConnectsOverTCP(t *testing.T) {
	dir := testpeer.SIPpPcapDir(t)
	phone := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_pcap_answer.xml"), Dir: dir, Extra: []string{"-t", "t1"}})
	redirector := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_redirect.xml"), Dir: t.TempDir(), Service: "carol",
		Extra: []string{"-key", "target", "127.0.0.1:" + strconv.Itoa(phone.LocalPort) + ";transport=tcp"}})
	e := redirectEngine(t, redirector.LocalPort, nil)
	c := e.connect(t)

	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 15*time.Second)
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup || cs.AnsweredAt == 0 {
		t.Errorf("the call ended %+v, want answered and then the TCP phone's BYE", cs)
	}
	if code, log := redirector.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("redirect server exited %d:\n%s", code, log)
	}
	if code, log := phone.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("the phone on TCP exited %d:\n%s", code, log)
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the TCP phone's audio did not arrive", rms)
	}
}

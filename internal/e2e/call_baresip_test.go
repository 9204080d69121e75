package e2e

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// callSetup is kamailio with auth, baresip registered as bob (auto-answer, sending a
// 700 Hz tone, recording what it hears) and the engine registered as alice (its
// microphone a 1000 Hz tone).
type callSetup struct {
	kam *testpeer.Kamailio
	bob *testpeer.Baresip
	e   *engine
	c   *client
}

const (
	engineHz  = 1000.0
	baresipHz = 700.0
)

func newCallSetup(t *testing.T) *callSetup {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true})
	bob.WaitRegistered(t, 10*time.Second)
	e := startEngine(t, engineOptions{inputHz: engineHz, account: map[string]any{
		"server": kam.Addr, "username": "alice", "password": "secret", "register": true,
	}})
	c := e.connect(t)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	}
	return &callSetup{kam: kam, bob: bob, e: e, c: c}
}

// The engine calls baresip through kamailio: both hear each other's tone, DTMF 123#
// arrives at baresip, and the engine's hang-up ends both calls.
func TestCallBaresipTwoWayAudioAndDTMF(t *testing.T) {
	s := newCallSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	if res.Line != 1 {
		t.Errorf("line %d", res.Line)
	}
	got := s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	if want := []string{api.CallDialing, api.CallRinging, api.CallActive}; !slices.Equal(states(got), want) {
		t.Errorf("call states %v, want %v", states(got), want)
	}
	if cs := got[len(got)-1]; cs.Codec != "PCMU" || cs.Direction != api.DirOutgoing || cs.PeerUser != "bob" {
		t.Errorf("active call %+v", cs)
	}
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)

	time.Sleep(1500 * time.Millisecond) // let audio flow both ways
	s.c.mustDo(api.CmdCallDTMF.Name, map[string]any{"digits": "123#"}, nil)
	waitUntil(t, 5*time.Second, func() bool { return s.bob.DTMFReceived() == "123#" }, func() string {
		return "baresip received DTMF " + s.bob.DTMFReceived()
	})

	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	end := s.c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	if cs := end[len(end)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseLocalHangup {
		t.Errorf("end %+v", cs)
	}
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	checkTwoWayAudio(t, s.e, s.bob)
}

// checkTwoWayAudio stops e, whose call with bob has ended, and requires each to
// have heard the other's tone: the engine baresipHz, baresip engineHz.
func checkTwoWayAudio(t *testing.T, e *engine, bob *testpeer.Baresip) {
	t.Helper()
	e.stop(t) // finishes the speaker WAV

	hz, rms := loudest(readWAV(t, e.outWAV))
	if math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want baresip's %.0f Hz", hz, rms, baresipHz)
	}
	var dec string
	for _, f := range bob.RecordedWAVs() {
		if strings.Contains(f, "-dec") {
			dec = f
		}
	}
	if dec == "" {
		t.Fatalf("baresip recorded nothing: %v", bob.RecordedWAVs())
	}
	hz, rms = loudest(readWAV(t, dec))
	if math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("baresip heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

// baresip hangs up: the engine reports remote_hangup.
func TestCallBaresipRemoteHangup(t *testing.T) {
	s := newCallSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "sip:bob@" + s.kam.Addr}, &res)
	s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	s.bob.Hangup(t)
	end := s.c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	if cs := end[len(end)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("end %+v", cs)
	}
	var snap api.Snapshot
	s.c.mustDo(api.CmdStatus.Name, nil, &snap)
	if len(snap.Lines) != 0 {
		t.Errorf("lines after hangup: %+v", snap.Lines)
	}
}

// SIGTERM during a call: the engine sends BYE, unregisters and exits within 2 s.
func TestShutdownDuringCall(t *testing.T) {
	s := newCallSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	if took := s.e.stop(t); took > 2*time.Second {
		t.Errorf("engine took %v to stop", took)
	}
	s.bob.WaitEvent(t, "CALL_CLOSED", 3*time.Second)
	if contacts := s.kam.Contacts(t); strings.Contains(contacts, "alice") {
		t.Errorf("alice still registered after shutdown:\n%s", contacts)
	}
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var _ = json.Marshal

// With no account at all (the embedded defaults), a direct SIP URI call works: the engine
// calls baresip at its own address, both hear each other, and a bare user is refused.
func TestDirectURICallWithoutAccount(t *testing.T) {
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 30*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", AutoAnswer: true, SourceWAV: wav})
	e := startEngine(t, engineOptions{inputHz: engineHz})
	c := e.connect(t)
	if c.hello.Snapshot.Account.Server != "" {
		t.Fatalf("engine started with an account: %+v", c.hello.Snapshot.Account)
	}
	if r := c.do(api.CmdCallDial.Name, map[string]any{"to": "bob"}); r.OK || r.Error.Code != api.CodeInvalidArgs {
		t.Errorf("bare user without an account: %+v", r)
	}
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "sip:bob@" + bob.SIPAddr}, &res)
	c.callStates(res.CallID, api.CallActive, 10*time.Second)
	bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	c.awaitFarAudio(10 * time.Second)
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"all": true}, nil)
	c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	e.stop(t)
	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want %.0f Hz", hz, rms, baresipHz)
	}
}

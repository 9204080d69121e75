package e2e

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// newSRTPSetup is kamailio with auth, baresip registered as bob with the
// media encryption bobEnc ("" plain, "srtp", "srtp-mand"), sending a 700 Hz
// tone and recording what it hears, and the engine registered as alice with
// the account's mediaEncryption policy, its microphone a 1000 Hz tone.
func newSRTPSetup(t *testing.T, bobEnc, policy string) *callSetup {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr,
		AutoAnswer: true, SourceWAV: wav, Record: true, MediaEnc: bobEnc})
	bob.WaitRegistered(t, 10*time.Second)
	e := startEngine(t, engineOptions{inputHz: engineHz, account: map[string]any{
		"server": kam.Addr, "username": "alice", "password": "secret", "register": true, "mediaEncryption": policy,
	}})
	c := e.connect(t)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	}
	return &callSetup{kam: kam, bob: bob, e: e, c: c}
}

// The engine, with SRTP mandatory, calls baresip with SRTP mandatory: the call
// reports encrypted, and each side hears the other's tone through SRTP.
func TestCallBaresipSRTP(t *testing.T) {
	s := newSRTPSetup(t, "srtp-mand", api.MediaEncryptionMandatory)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	if cs := got[len(got)-1]; !cs.Encrypted {
		t.Fatalf("active call not encrypted: %+v", cs)
	}
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	s.c.awaitFarAudio(10 * time.Second)
	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	s.c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	s.e.stop(t) // finishes the speaker WAV

	if hz, rms := loudest(readWAV(t, s.e.outWAV)); math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want baresip's %.0f Hz", hz, rms, baresipHz)
	}
	if hz, rms := loudest(readWAV(t, decodedDump(t, s.bob))); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("baresip heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

// With SRTP mandatory, a plain-RTP baresip is refused both ways: it answers
// the engine's RTP/SAVP offer with 488, and its own plain offer to the engine
// gets 488 and never rings.
func TestMandatorySRTPRefusesPlainPeer(t *testing.T) {
	s := newSRTPSetup(t, "", api.MediaEncryptionMandatory)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	end := s.c.callStates(res.CallID, api.CallEnded, 10*time.Second)
	if cs := end[len(end)-1]; cs.Encrypted || cs.Cause == nil || cs.Cause.Kind != api.CauseRejected || cs.Cause.Code != 488 {
		t.Errorf("the call to a plain peer ended %+v, want rejected with 488", cs)
	}
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second) // its side of that call

	s.bob.Dial(t, "sip:alice@"+s.kam.Addr)
	if ev := s.bob.WaitEvent(t, "CALL_CLOSED", 10*time.Second); !strings.Contains(ev.Param, "488") {
		t.Errorf("baresip's plain call to the engine closed with %q, want a 488", ev.Param)
	}
	var snap api.Snapshot
	s.c.mustDo(api.CmdStatus.Name, nil, &snap)
	if len(snap.Lines) != 0 {
		t.Errorf("a refused call holds a line: %+v", snap.Lines)
	}
}

// Baresip with best-effort SRTP ("srtp": keys on an RTP/AVP line) calls the
// engine with SRTP optional: the engine answers with its own key, the call
// reports encrypted, and each side hears the other's tone.
func TestBaresipCallsEngineWithOptionalSRTP(t *testing.T) {
	s := newSRTPSetup(t, "srtp", api.MediaEncryptionOptional)
	s.bob.Dial(t, "sip:alice@"+s.kam.Addr)
	if cs := s.c.takeCallFrom(s.bob, 10*time.Second); !cs.Encrypted {
		t.Errorf("active call not encrypted: %+v", cs)
	}
	s.e.stop(t) // finishes the speaker WAV

	if hz, rms := loudest(readWAV(t, s.e.outWAV)); math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want baresip's %.0f Hz", hz, rms, baresipHz)
	}
	if hz, rms := loudest(readWAV(t, decodedDump(t, s.bob))); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("baresip heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

// With SRTP mandatory, a peer that answers the engine's RTP/SAVP offer in plain
// RTP anyway (no key: a broken PBX or SBC) is not talked to in clear: the engine
// ACKs the 200, ends the call with BYE, and reports encryption_required.
func TestMandatorySRTPEndsAPlainAnswer(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_plain_answer.xml")})
	e := startEngine(t, engineOptions{account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "password": "secret",
		"register": false, "mediaEncryption": api.MediaEncryptionMandatory,
	}})
	c := e.connect(t)
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 10*time.Second)
	for _, cs := range got {
		if cs.State == api.CallActive {
			t.Errorf("a plain answer to a mandatory SRTP offer made the call active: %+v", cs)
		}
	}
	if cs := got[len(got)-1]; cs.Encrypted || cs.Cause == nil || cs.Cause.Kind != api.CauseEncryptionRequired {
		t.Errorf("the call ended %+v, want cause %s", cs, api.CauseEncryptionRequired)
	}
	if code, log := sipp.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp (INVITE, ACK, BYE) exited %d:\n%s", code, log)
	}
	if msgs := sipp.Messages(); !strings.Contains(msgs, "RTP/SAVP") {
		t.Errorf("the engine's offer was not RTP/SAVP:\n%s", msgs)
	}
}

package e2e

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// transferUntilEnd collects the call.transfer events of callID until its call
// ends, and returns them with the call's last call.state.
func (c *client) transferUntilEnd(callID string, timeout time.Duration) ([]api.TransferEvent, api.CallState) {
	c.t.Helper()
	var got []api.TransferEvent
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatalf("connection closed; transfer events so far %+v", got)
			}
			switch ev.Event {
			case api.EvCallTransfer:
				var te api.TransferEvent
				json.Unmarshal(ev.Data, &te)
				if te.CallID == callID {
					got = append(got, te)
				}
			case api.EvCallState:
				var cs api.CallState
				json.Unmarshal(ev.Data, &cs)
				if cs.CallID == callID && cs.State == api.CallEnded {
					return got, cs
				}
			}
		case <-deadline:
			c.t.Fatalf("call %s did not end within %v; transfer events %+v", callID, timeout, got)
		}
	}
}

func transferStates(evs []api.TransferEvent) []string {
	var s []string
	for _, e := range evs {
		s = append(s, e.State)
	}
	return s
}

// lastDecoded returns the recording of what b heard in its latest call. Baresip's
// sndfile names a dump after the second its call started, so two calls begun in one
// second share a file: the caller measures its end, written by the latest call only.
func lastDecoded(t *testing.T, b *testpeer.Baresip) []int16 {
	t.Helper()
	var last string
	for _, f := range b.RecordedWAVs() {
		if strings.HasSuffix(f, "-dec.wav") {
			last = f
		}
	}
	if last == "" {
		t.Fatalf("%s recorded nothing: %v", b.URI, b.RecordedWAVs())
	}
	return readWAV(t, last)
}

// lastSecond is the span of the last second of pcm.
func lastSecond(pcm []int16) span {
	end := float64(len(pcm)) / audio.SampleRate
	return span{end - 1, end}
}

// Blind transfer: the engine, in a call with bob through kamailio, transfers him to
// carol. Bob takes the REFER and calls carol; the engine reports the NOTIFYs'
// progress up to succeeded and ends its call with cause transferred; bob and carol
// are connected and hear each other's tone.
func TestTransferBlindConnectsPeerToTarget(t *testing.T) {
	s, carol := newTwoPhoneSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)

	s.c.mustDo(api.CmdCallTransfer.Name, map[string]any{"callId": res.CallID, "target": "carol"}, nil)
	evs, end := s.c.transferUntilEnd(res.CallID, 20*time.Second)
	if st := transferStates(evs); len(st) < 2 || st[0] != api.TransferTrying || st[len(st)-1] != api.TransferSucceeded {
		t.Errorf("transfer states %v, want trying ... succeeded", st)
	}
	if last := evs[len(evs)-1]; last.Code != 200 || last.Target != "carol" || last.Line != res.Line {
		t.Errorf("last transfer event %+v", last)
	}
	if end.Cause == nil || end.Cause.Kind != api.CauseTransferred {
		t.Errorf("end %+v, want cause transferred", end)
	}

	carol.WaitEvent(t, testpeer.EventCallEstablished, 10*time.Second)
	time.Sleep(2 * time.Second) // let bob and carol talk
	carol.Hangup(t)
	carol.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)

	heard := lastDecoded(t, carol)
	if hz, rms := measure(t, "carol", heard, lastSecond(heard)); math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("carol heard %.0f Hz at RMS %.0f, want bob's %.0f Hz", hz, rms, baresipHz)
	}
	heard = lastDecoded(t, s.bob)
	if hz, rms := measure(t, "bob", heard, lastSecond(heard)); math.Abs(hz-secondPhoneHz) > 15 || rms < 500 {
		t.Errorf("bob heard %.0f Hz at RMS %.0f, want carol's %.0f Hz", hz, rms, secondPhoneHz)
	}
}

// A blind transfer to a target that does not exist fails: bob's call to it is
// refused, his NOTIFY says so, the engine reports failed with that status, and the
// call stays, resumed from the hold the transfer put it in: the engine plays bob
// again.
func TestTransferBlindFailureResumesTheCall(t *testing.T) {
	s := newCallSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)

	s.c.mustDo(api.CmdCallTransfer.Name, map[string]any{"callId": res.CallID, "target": "nobody"}, nil)
	var failed api.TransferEvent
	s.c.next(api.EvCallTransfer, 20*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &failed)
		return failed.State == api.TransferFailed
	})
	if failed.Code != 404 || failed.CallID != res.CallID {
		t.Errorf("failed transfer %+v, want code 404", failed)
	}
	s.c.waitHeld(res.Line, false)
	if cs, _ := s.c.snapshotLine(res.Line); cs.State != api.CallActive {
		t.Errorf("call after the failed transfer %+v", cs)
	}
	s.c.awaitFarAudio(10 * time.Second) // a call held by us plays nothing
	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	s.bob.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)
}

// Being transferred: bob, in a call with the engine, transfers it to carol with
// baresip's transfer command. The engine (transferIncoming accept) answers the REFER,
// calls carol on a line of its own, tells bob how that goes and ends bob's call once
// carol answered; the engine and carol hear each other.
func TestTransferredByPeerCallsTheTarget(t *testing.T) {
	s, carol := newTwoPhoneSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)

	if _, err := s.bob.Command(t, "transfer", "sip:carol@"+s.kam.Addr); err != nil {
		t.Fatal(err)
	}
	var toCarol api.CallState
	s.c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &toCarol)
		return toCarol.PeerUser == "carol" && toCarol.State == api.CallActive
	})
	if toCarol.Line == res.Line || toCarol.Direction != api.DirOutgoing {
		t.Errorf("the call to carol %+v, want an outgoing call on a line of its own", toCarol)
	}
	end := s.c.callStates(res.CallID, api.CallEnded, 10*time.Second)
	// bob may hang up on our final NOTIFY before our BYE goes: either ends it.
	if cs := end[len(end)-1]; cs.Cause == nil || (cs.Cause.Kind != api.CauseTransferred && cs.Cause.Kind != api.CauseRemoteHangup) {
		t.Errorf("bob's call ended %+v, want transferred or bob's hang-up", cs)
	}
	carol.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	s.c.awaitFarAudio(10 * time.Second)
	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": toCarol.CallID}, nil)
	carol.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)
	s.e.stop(t)
	if hz, rms := loudest(readWAV(t, s.e.outWAV)); math.Abs(hz-secondPhoneHz) > 15 || rms < 500 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want carol's %.0f Hz", hz, rms, secondPhoneHz)
	}
	heard := lastDecoded(t, carol)
	if hz, rms := measure(t, "carol", heard, lastSecond(heard)); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("carol heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

// Attended transfer: the engine calls bob, then carol on a second line (auto-hold
// holds bob), and hands bob over to carol: a REFER to bob whose Refer-To names carol
// with the Replaces of the engine's call with her. Bob calls carol replacing that
// call; both of the engine's calls end, and bob and carol hear each other.
func TestTransferAttendedHandsPeerToConsultedParty(t *testing.T) {
	s, carol := newTwoPhoneSetup(t)
	var toBob, toCarol api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &toBob)
	s.c.callStates(toBob.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "carol"}, &toCarol)
	s.c.callStates(toCarol.CallID, api.CallActive, 10*time.Second)
	carol.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)

	s.c.mustDo(api.CmdCallTransfer.Name, map[string]any{"callId": toBob.CallID, "consultCallId": toCarol.CallID}, nil)
	evs, end := s.c.transferUntilEnd(toBob.CallID, 20*time.Second)
	if st := transferStates(evs); len(st) == 0 || st[len(st)-1] != api.TransferSucceeded {
		t.Errorf("transfer states %v, want ... succeeded", st)
	}
	if end.Cause == nil || end.Cause.Kind != api.CauseTransferred {
		t.Errorf("bob's call ended %+v, want transferred", end)
	}
	var snap api.Snapshot
	waitUntil(t, 5*time.Second, func() bool { s.c.mustDo(api.CmdStatus.Name, nil, &snap); return len(snap.Lines) == 0 }, func() string {
		return "the engine's calls did not end"
	})

	carol.WaitEvent(t, testpeer.EventCallEstablished, 10*time.Second) // bob's INVITE with Replaces
	time.Sleep(2 * time.Second)                                       // let bob and carol talk
	carol.Hangup(t)
	heard := lastDecoded(t, carol)
	if hz, rms := measure(t, "carol", heard, lastSecond(heard)); math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("carol heard %.0f Hz at RMS %.0f, want bob's %.0f Hz", hz, rms, baresipHz)
	}
	heard = lastDecoded(t, s.bob)
	if hz, rms := measure(t, "bob", heard, lastSecond(heard)); math.Abs(hz-secondPhoneHz) > 15 || rms < 500 {
		t.Errorf("bob heard %.0f Hz at RMS %.0f, want carol's %.0f Hz", hz, rms, secondPhoneHz)
	}
}

// With transferIncoming ask, bob's REFER raises call.referred; the page declines
// with call.referral, bob learns it from our NOTIFY (603) and carol is never called.
// (The page's accept takes the accept policy's path, proven above.)
func TestTransferredByPeerAsksThePage(t *testing.T) {
	s, carol := newTwoPhoneSetup(t)
	s.c.mustDo(api.CmdSettingsSet.Name, map[string]any{"transferIncoming": api.TransferAsk}, nil)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)

	if _, err := s.bob.Command(t, "transfer", "sip:carol@"+s.kam.Addr); err != nil {
		t.Fatal(err)
	}
	var asked api.Referred
	json.Unmarshal(s.c.next(api.EvCallReferred, 10*time.Second, nil), &asked)
	if asked.CallID != res.CallID || !strings.Contains(asked.Target, "carol@") {
		t.Errorf("call.referred %+v", asked)
	}
	s.c.mustDo(api.CmdCallReferral.Name, map[string]any{"callId": res.CallID, "accept": false}, nil)
	if r := s.c.do(api.CmdCallReferral.Name, map[string]any{"callId": res.CallID, "accept": true}); r.OK || r.Error.Code != api.CodeInvalidState {
		t.Errorf("a second answer: %+v, want invalid_state", r)
	}
	s.bob.WaitEvent(t, "TRANSFER_FAILED", 5*time.Second) // our NOTIFY 603 reached bob
	for _, ev := range carol.Events() {
		if ev.Type == testpeer.EventCallIncoming {
			t.Errorf("carol was called after the page declined")
		}
	}
	// baresip 1.0 hangs up once its transfer failed; the call is bob's to end.
	s.c.callStates(res.CallID, api.CallEnded, 5*time.Second)
}

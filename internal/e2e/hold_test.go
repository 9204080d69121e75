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

// eventRemoteSDP is baresip's ctrl_tcp event for an SDP it received in a call
// (param "offer" for a re-INVITE).
const eventRemoteSDP = "CALL_REMOTE_SDP"

// skipEvents marks every typ event baresip sent so far as seen.
func skipEvents(t *testing.T, b *testpeer.Baresip, typ string) {
	t.Helper()
	for _, ev := range b.Events() {
		if ev.Type == typ {
			b.WaitEvent(t, typ, time.Second)
		}
	}
}

// holdFlags waits for the call.state of callID whose held and remoteHeld are as given.
func (c *client) holdFlags(callID string, held, remoteHeld bool) api.CallState {
	c.t.Helper()
	var cs api.CallState
	c.next(api.EvCallState, 5*time.Second, func(data json.RawMessage) bool {
		json.Unmarshal(data, &cs)
		return cs.CallID == callID && cs.Held == held && cs.RemoteHeld == remoteHeld
	})
	return cs
}

// span is a stretch of a recording, in seconds since the recording started.
type span struct{ from, to float64 }

// since returns the span from a to b (instants) relative to start, less settle at the
// beginning for the jitter buffers and a little at the end for clock slack.
func since(start, a, b time.Time, settle time.Duration) span {
	return span{a.Sub(start).Seconds() + settle.Seconds(), b.Sub(start).Seconds() - 0.1}
}

// measure returns the dominant frequency and RMS of pcm over s.
func measure(t *testing.T, name string, pcm []int16, s span) (hz, rms float64) {
	t.Helper()
	from, to := int(s.from*audio.SampleRate), int(s.to*audio.SampleRate)
	if from < 0 || to > len(pcm) || to-from < audio.SampleRate/4 {
		t.Fatalf("%s: span %.2f-%.2f s does not fit a %.2f s recording", name, s.from, s.to, float64(len(pcm))/audio.SampleRate)
	}
	w := pcm[from:to]
	return audio.DominantFrequency(w, audio.SampleRate, 200, 3500, 10), audio.RMS(w)
}

// checkHeldRecording asserts tone at hz before the hold and after the resume, and
// silence while held.
func checkHeldRecording(t *testing.T, name string, pcm []int16, hz float64, before, held, after span) {
	t.Helper()
	for _, part := range []struct {
		what string
		s    span
	}{{"before the hold", before}, {"after the resume", after}} {
		if f, rms := measure(t, name, pcm, part.s); math.Abs(f-hz) > 15 || rms < 500 {
			t.Errorf("%s %s (%.1f-%.1f s): %.0f Hz at RMS %.0f, want %.0f Hz", name, part.what, part.s.from, part.s.to, f, rms, hz)
		}
	}
	if _, rms := measure(t, name, pcm, held); rms > 50 {
		t.Errorf("%s while held (%.1f-%.1f s): RMS %.0f, want silence", name, held.from, held.to, rms)
	}
}

// The engine calls baresip, holds and resumes it (re-INVITEs with a=sendonly, then
// a=sendrecv): neither side hears the other while held, both do again after. Then
// baresip holds the engine and resumes, and the engine reports remoteHeld.
func TestHoldBaresipBothWays(t *testing.T) {
	s := newCallSetup(t)
	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	tActive := time.Now() // both recordings start with the media, about now
	s.bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	ref := map[string]any{"callId": res.CallID}

	time.Sleep(1500 * time.Millisecond)
	skipEvents(t, s.bob, eventRemoteSDP) // the call's first offer
	tHoldAsked := time.Now()
	s.c.mustDo(api.CmdCallHold.Name, map[string]any{"callId": res.CallID, "hold": true}, nil)
	s.c.holdFlags(res.CallID, true, false)
	tHeld := time.Now()
	if ev := s.bob.WaitEvent(t, eventRemoteSDP, 3*time.Second); ev.Param != "offer" {
		t.Errorf("baresip saw the hold as %q, want an offer", ev.Param)
	}
	if r := s.c.do(api.CmdCallHold.Name, map[string]any{"callId": res.CallID, "hold": true}); !r.OK {
		t.Errorf("holding a held call: %+v", r.Error)
	}

	time.Sleep(2 * time.Second)
	tResumeAsked := time.Now()
	s.c.mustDo(api.CmdCallHold.Name, map[string]any{"callId": res.CallID, "hold": false}, nil)
	s.c.holdFlags(res.CallID, false, false)
	tResumed := time.Now()
	s.bob.WaitEvent(t, eventRemoteSDP, 3*time.Second)
	// Media flows to baresip again: it gets DTMF, which rides the audio stream.
	s.c.mustDo(api.CmdCallDTMF.Name, map[string]any{"callId": res.CallID, "digits": "5"}, nil)
	waitUntil(t, 3*time.Second, func() bool { return s.bob.DTMFReceived() == "5" }, func() string {
		return "baresip received DTMF " + s.bob.DTMFReceived() + " after the resume"
	})
	time.Sleep(time.Second)
	tBobHolds := time.Now()

	// baresip holds the engine and lets it go.
	if _, err := s.bob.Command(t, "hold", ""); err != nil {
		t.Fatalf("baresip hold: %v", err)
	}
	s.c.holdFlags(res.CallID, false, true)
	var snap api.Snapshot
	s.c.mustDo(api.CmdStatus.Name, nil, &snap)
	if len(snap.Lines) != 1 || !snap.Lines[0].RemoteHeld || snap.Lines[0].State != api.CallActive {
		t.Errorf("snapshot while baresip holds: %+v", snap.Lines)
	}
	if _, err := s.bob.Command(t, "resume", ""); err != nil {
		t.Fatalf("baresip resume: %v", err)
	}
	s.c.holdFlags(res.CallID, false, false)

	if r := s.c.do(api.CmdCallHold.Name, map[string]any{"line": 3, "hold": true}); r.OK || r.Error.Code != api.CodeNotFound {
		t.Errorf("hold on an empty line: %+v", r)
	}
	s.c.mustDo(api.CmdCallHangup.Name, ref, nil)
	s.c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	s.e.stop(t) // finishes the speaker WAV

	// Each change takes effect once its 2xx is in: the tone lasts at least until the
	// hold was asked for and the silence until the resume was.
	settle := 300 * time.Millisecond
	before := since(tActive, tActive, tHoldAsked, settle)
	held := since(tActive, tHeld, tResumeAsked, settle)
	after := since(tActive, tResumed, tBobHolds, settle)
	checkHeldRecording(t, "engine speaker", readWAV(t, s.e.outWAV), baresipHz, before, held, after)
	// baresip 1.0 tears its filter chain down on the first re-INVITE and does not
	// rebuild it, so its dump of what it received ends at the hold: tone up to there,
	// nothing after. The DTMF above showed that our audio reaches it after the resume.
	var dec string
	for _, f := range s.bob.RecordedWAVs() {
		if strings.Contains(f, "-dec") {
			dec = f
		}
	}
	if dec == "" {
		t.Fatalf("baresip recorded nothing: %v", s.bob.RecordedWAVs())
	}
	pcm := readWAV(t, dec)
	if f, rms := measure(t, "baresip recording", pcm, span{before.from, min(before.to, float64(len(pcm))/audio.SampleRate)}); math.Abs(f-engineHz) > 15 || rms < 500 {
		t.Errorf("baresip heard %.0f Hz at RMS %.0f before the hold, want %.0f Hz", f, rms, engineHz)
	}
	if end := float64(len(pcm)) / audio.SampleRate; end > held.from {
		if _, rms := measure(t, "baresip recording", pcm, span{held.from, min(held.to, end)}); rms > 50 {
			t.Errorf("baresip heard RMS %.0f while held, want silence", rms)
		}
	}
}

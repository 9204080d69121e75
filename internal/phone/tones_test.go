package phone

import (
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// window is pcm from ms to ms+len milliseconds.
func window(pcm []int16, fromMs, toMs int) []int16 {
	return pcm[fromMs*audio.SampleRate/1000 : toMs*audio.SampleRate/1000]
}

// expectTone fails unless every frequency of freqs is in pcm at about the plan's
// progress level (an eighth of full scale).
func expectTone(t *testing.T, what string, pcm []int16, freqs ...float64) {
	t.Helper()
	for _, f := range freqs {
		if lvl := audio.ToneLevel(pcm, audio.SampleRate, f); lvl < 0.09 || lvl > 0.16 {
			t.Errorf("%s: %.0f Hz at %.3f, want about 0.125", what, f, lvl)
		}
	}
}

// expectSilence fails unless pcm is silent.
func expectSilence(t *testing.T, what string, pcm []int16) {
	t.Helper()
	if rms := audio.RMS(pcm); rms > 1 {
		t.Errorf("%s: RMS %.1f, want silence", what, rms)
	}
}

// expectProgressTone fails the test at once unless a progress tone plays (the media
// clock, which ticks steps, runs only then).
func expectProgressTone(t *testing.T, r *rig) {
	t.Helper()
	r.sync()
	if r.p.pump.plan.Load().tone == nil {
		t.Fatal("no progress tone plays")
	}
}

// dialRinging dials bob and brings the call to ringing (a 180 without SDP).
func dialRinging(t *testing.T, r *rig) *fakeDialog {
	t.Helper()
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inRinging, 180, nil)
	r.expectStates(api.CallRinging)
	return d
}

// A call we dialled that rings with no early media plays the plan's ringback on the
// speaker with its cadence (US: 440+480 Hz, 2 s on, 4 s off); early media stops it.
func TestRingbackUntilEarlyMedia(t *testing.T) {
	r := newRig(t, nil)
	d := dialRinging(t, r)
	expectProgressTone(t, r)
	pcm := joinFrames(r.ticks(300))
	expectTone(t, "ringback, first second", window(pcm, 50, 1950), 440, 480)
	expectSilence(t, "ringback, the pause", window(pcm, 2050, 5950))

	r.sipEvent(d.id, inEarlyMedia, 183, peerSDP(30000, pcmu))
	r.expectStates(api.CallEarly)
	after := joinFrames(r.ticks(100))[audio.FrameSamples:] // but the frame in flight
	for _, f := range []float64{440, 480} {
		if lvl := audio.ToneLevel(after, audio.SampleRate, f); lvl > 0.01 {
			t.Errorf("ringback (%.0f Hz at %.3f) still plays over early media", f, lvl)
		}
	}
}

// The answer stops the ringback too.
func TestRingbackStopsOnAnswer(t *testing.T) {
	r := newRig(t, nil)
	d := dialRinging(t, r)
	expectProgressTone(t, r)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.expectStates(api.CallActive)
	if r.p.pump.plan.Load().tone != nil {
		t.Error("a tone plays once the call is answered")
	}
}

// A call refused busy plays the busy tone (US: 480+620 Hz, 0.5 s on, 0.5 s off), then
// silence after a few seconds.
func TestBusyToneAfter486(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inRejected, 486, nil)
	r.expectStates(api.CallEnded)
	expectProgressTone(t, r)
	pcm := joinFrames(r.ticks(100))
	expectTone(t, "busy, on", window(pcm, 40, 460), 480, 620)
	expectSilence(t, "busy, off", window(pcm, 540, 960))
	expectTone(t, "busy, on again", window(pcm, 1040, 1460), 480, 620)
	awaitNoTone(t, r)
}

// awaitNoTone waits until the end tone is over, which takes endToneTime.
func awaitNoTone(t *testing.T, r *rig) {
	t.Helper()
	deadline := time.Now().Add(endToneTime + 2*time.Second)
	for r.sync(); r.p.pump.plan.Load().tone != nil; r.sync() {
		if time.Now().After(deadline) {
			t.Fatal("the end tone does not stop")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// With the UK plan, a 503 plays the UK congestion tone: 400 Hz, 400 ms on, 350 off,
// 225 on, 525 off.
func TestCongestionToneOfTheUKPlan(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{TonePlan: ptr("uk")})
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inRejected, 503, nil)
	r.expectStates(api.CallEnded)
	expectProgressTone(t, r)
	pcm := joinFrames(r.ticks(100))
	expectTone(t, "congestion, first burst", window(pcm, 20, 380), 400)
	expectSilence(t, "congestion, first pause", window(pcm, 420, 730))
	expectTone(t, "congestion, second burst", window(pcm, 770, 955), 400)
	expectSilence(t, "congestion, second pause", window(pcm, 995, 1480))
}

// No tone after a call the user hung up, or one refused otherwise (404).
func TestNoEndToneAfterHangupOr404(t *testing.T) {
	r := newRig(t, nil)
	d := dialRinging(t, r)
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{})
	r.expectStates(api.CallEnded)
	if r.p.pump.plan.Load().tone != nil {
		t.Error("a tone after the user hung up")
	}
	_ = d
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d = r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inRejected, 404, nil)
	r.expectStates(api.CallEnded)
	if r.p.pump.plan.Load().tone != nil {
		t.Error("a tone after 404")
	}
}

// With the EU plan, a call ringing during a call plays the ETSI call-waiting tone
// under it: 425 Hz, 200 ms on, 200 off, 200 on, then a long pause.
func TestCallWaitingToneOfTheEUPlan(t *testing.T) {
	r, _, _ := autoHoldRig(t)
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{TonePlan: ptr("eu")})
	r.lastStream().rxFrame = nil // bob: silence
	r.incoming("in-2")
	r.lastStream().rxFrame = nil
	pcm := joinFrames(r.ticks(100))
	for _, w := range [][2]int{{20, 180}, {420, 580}} {
		if lvl := audio.ToneLevel(window(pcm, w[0], w[1]), audio.SampleRate, 425); lvl < 0.04 || lvl > 0.08 {
			t.Errorf("call waiting %d..%d ms: 425 Hz at %.3f, want about 0.06", w[0], w[1], lvl)
		}
	}
	for _, w := range [][2]int{{220, 380}, {620, 1980}} {
		expectSilence(t, "call waiting, pause", window(pcm, w[0], w[1]))
	}
}

// A digit the user sends is echoed on the speaker: its two DTMF tones for 100 ms.
func TestDTMFFeedbackOnTheSpeaker(t *testing.T) {
	r := newRig(t, nil)
	activeOutgoing(t, r)
	r.lastStream().rxFrame = nil
	r.ticks(2)
	r.mustDo(api.CmdCallDTMF.Name, &api.DTMFArgs{Digits: "5"})
	pcm := joinFrames(r.ticks(10))
	lvl := func(f float64) float64 { return audio.ToneLevel(window(pcm, 0, 100), audio.SampleRate, f) }
	if lvl(770) < 0.05 || lvl(1336) < 0.05 {
		t.Errorf("digit 5 echoed at 770 Hz %.3f and 1336 Hz %.3f, want both", lvl(770), lvl(1336))
	}
	if lvl(697) > 0.02 || lvl(1209) > 0.02 {
		t.Errorf("another key's tones are heard: 697 Hz %.3f, 1209 Hz %.3f", lvl(697), lvl(1209))
	}
	expectSilence(t, "after the digit", window(pcm, 140, 200))
}

// tonePlan takes only the plans there are.
func TestTonePlanSetting(t *testing.T) {
	r := newRig(t, nil)
	if got := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings).TonePlan; got != "us" {
		t.Errorf("default tone plan %q, want us", got)
	}
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{TonePlan: ptr("fr")}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("tonePlan fr: %v, want invalid_args", err)
	}
	if got := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{TonePlan: ptr("eu")}).(api.Settings).TonePlan; got != "eu" {
		t.Errorf("tone plan %q after setting eu", got)
	}
}

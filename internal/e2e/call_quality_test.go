package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// qualityPackets is how many of the peer's packets a call of the quality test
// runs for: about 12 s of audio, enough for the loss to settle within a
// percentage point.
const qualityPackets = 600

// The engine calls baresip through a lossy relay (testpeer.Relay) that drops a
// known share of baresip's RTP and delays the rest: the call's figures report
// the injected loss within one percentage point, jitter where it was injected,
// a round trip from RTCP, and a MOS that falls as the loss rises; the engine
// still plays baresip's tone.
func TestCallQualityUnderInjectedLossAndJitter(t *testing.T) {
	cases := []struct {
		loss   float64
		jitter time.Duration
	}{{0, 0}, {0.05, 60 * time.Millisecond}, {0.15, 30 * time.Millisecond}}
	var got []api.CallStats
	for i, tc := range cases {
		name := fmt.Sprintf("%.0f%% loss, %v jitter", 100*tc.loss, tc.jitter)
		if !t.Run(name, func(t *testing.T) {
			st := lossyCall(t, testpeer.RelayOptions{Loss: tc.loss, Jitter: tc.jitter, Seed: uint64(i + 1)})
			if math.Abs(st.LossPct-100*tc.loss) > 1 {
				t.Errorf("reported loss %.2f %%, injected %.0f %%", st.LossPct, 100*tc.loss)
			}
			if st.RTTMs <= 0 || st.RTCPReceived == 0 {
				t.Errorf("no round trip from RTCP: %+v", st)
			}
			got = append(got, st)
		}) {
			t.FailNow()
		}
	}
	clean, lossy := got[0], got[1]
	// Delays uniform in 0..60 ms differ by 20 ms on average (RFC 3550 A.8's
	// estimate); baresip's own pacing adds a few ms to both.
	if lossy.JitterMs < 10 || lossy.JitterMs <= clean.JitterMs {
		t.Errorf("jitter %.2f ms with 0..60 ms injected, %.2f ms without", lossy.JitterMs, clean.JitterMs)
	}
	if clean.MOS < 4.3 || !(got[0].MOS > got[1].MOS && got[1].MOS > got[2].MOS) {
		t.Errorf("MOS %.2f, %.2f, %.2f at 0, 5 and 15 %% loss: want above 4.3 and falling", got[0].MOS, got[1].MOS, got[2].MOS)
	}
}

// lossyCall makes one call from the engine to baresip with baresip's audio
// through a relay of opts, lets qualityPackets of it arrive, hangs up and
// returns the figures of the call's end event, once it has checked that the
// engine played baresip's tone and that call.stats answers.
func lossyCall(t *testing.T, opts testpeer.RelayOptions) api.CallStats {
	relay := testpeer.StartRelay(t, opts)
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", AutoAnswer: true, SourceWAV: wav})
	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{"stunServer": relay.STUNAddr}})
	c := e.connect(t)

	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "sip:bob@" + bob.SIPAddr}, &res)
	c.callStates(res.CallID, api.CallActive, 10*time.Second)
	bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)

	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"statsInterval": 1}, nil)
	var ev api.CallStatsEvent
	json.Unmarshal(c.next(api.EvCallStats, 30*time.Second, func(d json.RawMessage) bool {
		var e api.CallStatsEvent
		// enough packets, and a report of the peer's about one of our SRs (RFC 3550
		// intervals are randomised: the first may reach it after its own first report)
		return json.Unmarshal(d, &e) == nil && len(e.Calls) == 1 && e.Calls[0].Expected >= qualityPackets && e.Calls[0].RTTMs > 0
	}), &ev)
	var now api.CallStats
	c.mustDo(api.CmdCallStats.Name, map[string]any{"callId": res.CallID}, &now)
	if now.CallID != res.CallID || now.Codec != "PCMU" || now.Expected < ev.Calls[0].Expected || now.MOS < 1 {
		t.Errorf("call.stats %+v after the event's %+v", now, ev.Calls[0])
	}

	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	end := c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	st := end[len(end)-1].Stats
	if st == nil {
		t.Fatalf("the call's end carries no figures: %+v", end[len(end)-1])
	}
	dropped, passed := relay.Counts()
	t.Logf("relay dropped %d, passed %d; engine: expected %d, lost %d (%.2f %%), late %d, discarded %d, jitter %.2f ms, buffer %.0f ms, RTT %.2f ms, R %.1f, MOS %.2f",
		dropped, passed, st.Expected, st.Lost, st.LossPct, st.Late, st.Discarded, st.JitterMs, st.BufferMs, st.RTTMs, st.RFactor, st.MOS)
	e.stop(t)
	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-baresipHz) > 15 || rms < 300 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want baresip's %.0f Hz", hz, rms, baresipHz)
	}
	return *st
}

package phone

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/media"
)

// countingStream is a fakeStream that reports fixed media figures: 5 of 100
// packets lost, a 40 ms round trip, 300 ms held in a jitter buffer that aims
// at 60.
type countingStream struct{ *fakeStream }

func (countingStream) Stats() media.Stats {
	return media.Stats{
		Codec: "PCMU", PacketsSent: 100, BytesSent: 16000, PacketsReceived: 95, BytesReceived: 15200,
		Expected: 100, Lost: 5, Jitter: 3 * time.Millisecond, JitterDelay: 300 * time.Millisecond, JitterTarget: 60 * time.Millisecond,
		RTT: 40 * time.Millisecond, PeerXR: media.XRVoIP{Valid: true, MOSLQ: 4.1},
	}
}

// statsRig is a rig whose streams count.
func statsRig(t *testing.T) *rig {
	var r *rig
	r = newRig(t, func(c *Config) {
		open := c.Media
		c.Media = func(ip string) (Stream, error) {
			s, err := open(ip)
			if err != nil {
				return nil, err
			}
			return countingStream{s.(*fakeStream)}, nil
		}
	})
	return r
}

// activeCall dials bob and has him answer.
func activeCall(r *rig) api.DialResult {
	res := r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"}).(api.DialResult)
	d := r.sip.lastDial(r.t)
	r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.expectStates(api.CallActive)
	return res
}

func TestCallStatsCommand(t *testing.T) {
	r := statsRig(t)
	if _, err := r.do(api.CmdCallStats.Name, &api.CallRef{CallID: "c99"}); apiCode(err) != api.CodeNotFound {
		t.Errorf("unknown call: %v", err)
	}
	if _, err := r.do(api.CmdCallStats.Name, &api.CallRef{Line: -1}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("negative line: %v", err)
	}
	res := r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"}).(api.DialResult)
	if _, err := r.do(api.CmdCallStats.Name, &api.CallRef{CallID: res.CallID}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("before media: %v", err)
	}
	d := r.sip.lastDial(t)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))

	st := r.mustDo(api.CmdCallStats.Name, &api.CallRef{CallID: res.CallID}).(api.CallStats)
	if st.CallID != res.CallID || st.Line != 1 || st.Codec != "PCMU" || st.LossPct != 5 || st.RTTMs != 40 || st.BufferMs != 300 || st.JitterMs != 3 {
		t.Errorf("stats %+v", st)
	}
	// One-way delay 20 + 60 + 20 ms (the buffer's nominal delay, not what it
	// holds at the moment): no delay impairment; 5 % random loss on G.711 with
	// concealment: R 77.42, MOS 3.92 (G.107, G.113).
	if math.Abs(st.RFactor-77.42) > 0.01 || st.MOS != 3.92 {
		t.Errorf("R %v MOS %v, want 77.42 and 3.92", st.RFactor, st.MOS)
	}
	if st.PeerXR == nil || st.PeerXR.MOSLQ != 4.1 {
		t.Errorf("peer XR %+v", st.PeerXR)
	}
}

// The event of a call's end carries its last figures, for the call record.
func TestEndedCallCarriesStats(t *testing.T) {
	r := statsRig(t)
	res := activeCall(r)
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{})
	cs := r.expectStates(api.CallEnded)
	if cs.Stats == nil || cs.Stats.CallID != res.CallID || cs.Stats.Lost != 5 || cs.Stats.MOS != 3.92 {
		t.Errorf("ended call's stats %+v", cs.Stats)
	}
}

// A call that never had media ends without figures.
func TestEndedCallWithoutMediaHasNoStats(t *testing.T) {
	r := statsRig(t)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	r.expectStates(api.CallDialing)
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{})
	if cs := r.expectStates(api.CallEnded); cs.Stats != nil {
		t.Errorf("stats of a call without media: %+v", cs.Stats)
	}
}

// statsTimer reports whether the call.stats timer is armed.
func statsTimer(r *rig) bool {
	v, err := r.p.call(context.Background(), func() (any, error) { return r.p.statsWatch.timer != nil, nil })
	if err != nil {
		r.t.Fatal(err)
	}
	return v.(bool)
}

// WatchStats emits call.stats with every call that has media, on a timer that
// exists only while watched.
func TestWatchStats(t *testing.T) {
	r := statsRig(t)
	res := activeCall(r)
	if statsTimer(r) {
		t.Fatal("a stats timer runs with nobody watching")
	}
	stop := r.p.WatchStats(10 * time.Millisecond)
	for got := 0; got < 2; {
		select {
		case ev := <-r.events:
			if ev.Event != api.EvCallStats {
				continue
			}
			calls := ev.Data.(api.CallStatsEvent).Calls
			if len(calls) != 1 || calls[0].CallID != res.CallID || calls[0].MOS != 3.92 {
				t.Fatalf("call.stats %+v", calls)
			}
			got++
		case <-time.After(2 * time.Second):
			t.Fatal("no call.stats event")
		}
	}
	stop()
	stop() // twice is harmless
	if statsTimer(r) {
		t.Error("the stats timer still runs after the last watcher left")
	}
}

// A wideband call is rated on G.107.1's scale, and its figures say so: G.722
// with 5 % random loss and no delay impairment is R 102.38, MOS 4.00.
func TestWidebandCallStats(t *testing.T) {
	s := media.Stats{Codec: "G722", Expected: 100, Lost: 5, JitterTarget: 60 * time.Millisecond}
	st := publicStats("c1", 1, s)
	if !st.Wideband || math.Abs(st.RFactor-102.38) > 0.01 || st.MOS != 4 {
		t.Errorf("wideband %v R %v MOS %v, want true, 102.38 and 4", st.Wideband, st.RFactor, st.MOS)
	}
	if st := publicStats("c1", 1, media.Stats{Codec: "PCMU"}); st.Wideband {
		t.Error("a G.711 call rated as wideband")
	}
}

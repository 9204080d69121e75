package phone

import (
	"fmt"
	"math"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/media"
	"github.com/wpservice/wpservice/internal/quality"
)

// A call's media figures: call.stats, the opt-in call.stats event (statswatch.go)
// and the figures its end event carries for the call record.

// statsSource is a Stream that counts: the real one does, a test's fake may not.
type statsSource interface {
	Stats() media.Stats
}

// callStats answers call.stats: the figures of the call a asks for, which must
// have media.
func (p *Phone) callStats(a *api.CallRef) (api.CallStats, error) {
	if a.Line < 0 {
		return api.CallStats{}, api.BadArg("line", "must be positive")
	}
	c, err := p.resolveAny(*a)
	if err != nil {
		return api.CallStats{}, err
	}
	st, ok := statsOf(c)
	if !ok {
		return api.CallStats{}, fmt.Errorf("%w: the call on line %d has no media yet", ErrCallState, c.line)
	}
	return st, nil
}

// statsOf returns c's figures now, false when it has no media running.
func statsOf(c *call) (api.CallStats, bool) {
	src, ok := c.stream.(statsSource)
	if !ok || !c.mediaOn {
		return api.CallStats{}, false
	}
	return publicStats(c.id, c.line, src.Stats()), true
}

// keepFinalStats notes c's last figures before its media stops, for the event
// of its end.
func (c *call) keepFinalStats() {
	if st, ok := statsOf(c); ok {
		c.finalStats = &st
	}
}

// publicStats converts a stream's counters to the wire's figures and rates them.
func publicStats(callID string, line int, s media.Stats) api.CallStats {
	out := api.CallStats{
		CallID: callID, Line: line, Codec: s.Codec,
		PacketsSent: s.PacketsSent, BytesSent: s.BytesSent,
		PacketsReceived: s.PacketsReceived, BytesReceived: s.BytesReceived,
		Expected: s.Expected, Lost: s.Lost, LossPct: percent(s.Lost, s.Expected),
		IntervalLoss: round2(100 * s.IntervalLoss),
		Late:         s.Late, Discarded: s.Discarded, Duplicate: s.Duplicate,
		JitterMs: ms(s.Jitter), BufferMs: ms(s.JitterDelay), RTTMs: ms(s.RTT),
		TargetMs: ms(s.JitterTarget), Concealed: s.Concealed,
		BufferDropped: s.JitterDropped, BufferInserted: s.JitterInserted,
		CNSent: s.CNSent, CNReceived: s.CNReceived,
		RTCPSent: s.RTCPSent, RTCPReceived: s.RTCPReceived,
		PeerLossPct: round2(100 * s.PeerFractionLost), PeerLost: s.PeerLost, PeerJitterMs: ms(s.PeerJitter),
	}
	if x := s.PeerXR; x.Valid {
		out.PeerXR = &api.XRVoIPStats{
			LossPct: round2(100 * x.LossRate), DiscardPct: round2(100 * x.DiscardRate),
			RTTMs: ms(x.RoundTrip), EndSystemMs: ms(x.EndSystem),
			RFactor: x.RFactor, MOSLQ: x.MOSLQ, MOSCQ: x.MOSCQ,
		}
	}
	est := quality.Rate(quality.Input{Codec: s.Codec, Delay: oneWayDelay(s), Loss: out.LossPct})
	out.RFactor, out.MOS, out.Wideband = round2(est.R), round2(est.MOS), est.Wideband
	return out
}

// oneWayDelay estimates the mouth-to-ear delay of the received audio: half the
// round trip, the jitter buffer's nominal delay and one frame of packetization.
// The buffer's nominal delay rather than what it holds at the moment, which
// swings with every burst of arrivals and would make the score jump with it.
func oneWayDelay(s media.Stats) time.Duration {
	return s.RTT/2 + s.JitterTarget + audio.FrameMillis*time.Millisecond
}

// percent is part of whole in percent, two decimals; 0 of nothing.
func percent(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return round2(100 * float64(part) / float64(whole))
}

// ms is d in milliseconds, two decimals.
func ms(d time.Duration) float64 {
	return round2(float64(d) / float64(time.Millisecond))
}

func round2(v float64) float64 {
	return math.Round(v*100) / 100
}

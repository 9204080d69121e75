package media

import (
	"time"

	"github.com/pion/rtcp"
)

// XRVoIP is a peer's RTCP XR VoIP metrics report block (RFC 3611 section 4.7)
// about our stream, in units: fractions 0..1, times, scores. A metric the peer
// left unavailable (127 for R factors and MOS) reads as 0.
type XRVoIP struct {
	Valid        bool
	LossRate     float64       // fraction of our packets lost in the network
	DiscardRate  float64       // fraction discarded by the peer's jitter buffer
	RoundTrip    time.Duration // the peer's round-trip delay
	EndSystem    time.Duration // the peer's own delay: buffering, coding, playout
	RFactor      int           // the peer's listening R factor, 0..100
	MOSLQ, MOSCQ float64       // the peer's estimated listening and conversational MOS, 1..5
}

// xrUnavailable marks an R factor or MOS the peer did not compute.
const xrUnavailable = 127

// takeXR keeps the VoIP metrics block of xr that is about our SSRC. The caller
// holds s.mu.
func (s *Stream) takeXR(xr *rtcp.ExtendedReport) {
	for _, b := range xr.Reports {
		m, ok := b.(*rtcp.VoIPMetricsReportBlock)
		if !ok || m.SSRC != s.ssrc {
			continue
		}
		s.peer.PeerXR = xrVoIP(m)
	}
}

// xrVoIP converts the block's fixed-point fields (RFC 3611 section 4.7.1 to 4.7.5).
func xrVoIP(m *rtcp.VoIPMetricsReportBlock) XRVoIP {
	v := XRVoIP{
		Valid:       true,
		LossRate:    float64(m.LossRate) / 256,
		DiscardRate: float64(m.DiscardRate) / 256,
		RoundTrip:   time.Duration(m.RoundTripDelay) * time.Millisecond,
		EndSystem:   time.Duration(m.EndSystemDelay) * time.Millisecond,
	}
	if m.RFactor != xrUnavailable {
		v.RFactor = int(m.RFactor)
	}
	if m.MOSLQ != xrUnavailable {
		v.MOSLQ = float64(m.MOSLQ) / 10
	}
	if m.MOSCQ != xrUnavailable {
		v.MOSCQ = float64(m.MOSCQ) / 10
	}
	return v
}

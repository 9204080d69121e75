package api

// CallStats are one call's media figures: the result of call.stats, an entry of
// the opt-in call.stats event, and, in the call.state event of its end, the
// call's last figures, which a call record keeps. Received figures are about
// the peer's audio as it reached us; Peer* are the peer's view of ours (from its
// RTCP reports). Times are in milliseconds; 0 means not known yet.
type CallStats struct {
	CallID string `json:"callId"`
	Line   int    `json:"line"`
	Codec  string `json:"codec"`

	PacketsSent     uint64 `json:"packetsSent"`
	BytesSent       uint64 `json:"bytesSent"` // RTP payload octets
	PacketsReceived uint64 `json:"packetsReceived"`
	BytesReceived   uint64 `json:"bytesReceived"`

	Expected     uint64  `json:"expected"`     // packets the peer sent, from sequence numbers
	Lost         uint64  `json:"lost"`         // cumulative (RFC 3550)
	LossPct      float64 `json:"lossPct"`      // Lost of Expected, in percent
	IntervalLoss float64 `json:"intervalLoss"` // percent lost in the last RTCP reporting interval
	Late         uint64  `json:"late"`         // arrived after their playout time
	Discarded    uint64  `json:"discarded"`    // dropped by a full jitter buffer
	Duplicate    uint64  `json:"duplicate"`
	JitterMs     float64 `json:"jitterMs"` // RFC 3550 interarrival jitter
	BufferMs     float64 `json:"bufferMs"` // the jitter buffer's current delay
	// TargetMs is the delay the adaptive jitter buffer aims at, from the
	// network's recent jitter, within its configured bounds.
	TargetMs float64 `json:"targetMs"`
	// Concealed counts the frames played that did not arrive in time, filled
	// by loss concealment; BufferDropped and BufferInserted the frames the
	// jitter buffer dropped or inserted, in quiet audio, to reach its target.
	Concealed      uint64 `json:"concealed"`
	BufferDropped  uint64 `json:"bufferDropped"`
	BufferInserted uint64 `json:"bufferInserted"`
	// CNSent and CNReceived count the comfort noise packets (RFC 3389) of
	// silence suppression: sent in our silences, received in the peer's.
	CNSent       uint64  `json:"cnSent"`
	CNReceived   uint64  `json:"cnReceived"`
	RTTMs        float64 `json:"rttMs"`        // round trip from RTCP SR/RR (RFC 3550 6.4.1)
	RTCPSent     uint64  `json:"rtcpSent"`     // compound RTCP packets
	RTCPReceived uint64  `json:"rtcpReceived"` // compound RTCP packets

	PeerLossPct  float64 `json:"peerLossPct"`  // loss of our packets in the peer's last report, percent
	PeerLost     uint32  `json:"peerLost"`     // cumulative, as the peer counts it
	PeerJitterMs float64 `json:"peerJitterMs"` // the peer's jitter estimate of our stream

	// PeerXR is the peer's RTCP XR VoIP metrics (RFC 3611 4.7) about our
	// stream, when it sends them.
	PeerXR *XRVoIPStats `json:"peerXr,omitempty"`

	// RFactor and MOS are the ITU-T E-model's estimate of the received audio:
	// by G.107 (R from 0 to 100) for narrowband codecs, by G.107.1 (R from 0 to
	// 129, MOS-CQEW) for wideband ones, which Wideband says. MOS from 1 to 4.5.
	RFactor  float64 `json:"rFactor"`
	MOS      float64 `json:"mos"`
	Wideband bool    `json:"wideband,omitempty"`
}

// XRVoIPStats are the VoIP metrics a peer reports in RTCP XR (RFC 3611 4.7).
type XRVoIPStats struct {
	LossPct     float64 `json:"lossPct"`
	DiscardPct  float64 `json:"discardPct"`
	RTTMs       float64 `json:"rttMs"`
	EndSystemMs float64 `json:"endSystemMs"`
	RFactor     int     `json:"rFactor,omitempty"`
	MOSLQ       float64 `json:"mosLq,omitempty"`
	MOSCQ       float64 `json:"mosCq,omitempty"`
}

// CallStatsEvent is the opt-in call.stats event: the figures of every call with
// media, every StatsInterval seconds of the connection's subscription.
type CallStatsEvent struct {
	Calls []CallStats `json:"calls"`
}

// Bounds of SubscribeArgs.StatsInterval, in seconds.
const (
	MinStatsInterval = 1
	MaxStatsInterval = 3600
)

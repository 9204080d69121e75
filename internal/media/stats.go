package media

import (
	"cmp"
	"time"

	"github.com/pion/rtcp"

	"github.com/wpservice/wpservice/internal/audio"
)

// Stats is a snapshot of a Stream's counters. Received counts cover packets of the
// negotiated payload types only; anything else is Ignored.
type Stats struct {
	Codec string // the negotiated codec's name; "" before Start

	PacketsSent     uint64 // RTP packets, audio and telephone-event
	BytesSent       uint64 // RTP payload octets
	PacketsReceived uint64
	BytesReceived   uint64
	Ignored         uint64 // malformed packets and unknown payload types

	Expected  uint64        // packets the peer sent, from the sequence numbers (RFC 3550 A.3)
	Lost      uint64        // RFC 3550 cumulative packets lost (expected - received)
	Late      uint64        // arrived after their playout time (jitter buffer)
	Duplicate uint64        // received twice while buffered (jitter buffer)
	Discarded uint64        // dropped by the jitter buffer when it was full
	Jitter    time.Duration // RFC 3550 interarrival jitter of the peer's audio
	// IntervalLoss is the fraction (0..1) of the peer's packets lost in the last
	// completed RTCP reporting interval, as our last reception report said.
	IntervalLoss float64
	// JitterDelay is the audio the jitter buffer holds now: the playout delay
	// it adds at the moment, which swings with the arrivals.
	JitterDelay time.Duration
	// JitterTarget is the playout delay the jitter buffer aims at, its nominal
	// delay.
	JitterTarget time.Duration
	// Adaptation of the jitter buffer's delay: frames dropped and inserted,
	// in quiet audio, to follow its target.
	JitterDropped, JitterInserted uint64
	// Concealed counts the frames played that did not come in time, filled by
	// loss concealment.
	Concealed uint64
	// FECDecoded counts the concealed packets decoded from the packet after
	// them (Opus): rebuilt from its in-band FEC when it carries some, else
	// concealed by the codec.
	FECDecoded uint64
	// CNSent and CNReceived count the comfort noise packets (RFC 3389) sent
	// in our silences and received in the peer's.
	CNSent, CNReceived uint64
	// RTT is the round-trip time from the peer's last report on our stream
	// (RFC 3550 section 6.4.1: arrival - LSR - DLSR); 0 until one had an LSR.
	RTT time.Duration

	RTCPSent     uint64 // compound RTCP packets sent (SR, and the BYE on Close)
	RTCPReceived uint64 // compound RTCP packets received from the peer
	PeerReports  uint64 // SR and RR packets received

	// From the last reception report the peer sent about our stream.
	PeerFractionLost float64       // 0..1 over the peer's last report interval
	PeerLost         uint32        // cumulative
	PeerJitter       time.Duration // the peer's jitter estimate of our stream
	PeerBye          bool          // the peer sent an RTCP BYE

	// PeerXR is the peer's last RTCP XR VoIP metrics report block (RFC 3611
	// section 4.7) about our stream; PeerXR.Valid is false when it sent none.
	PeerXR XRVoIP
}

// receiveStats keeps the RFC 3550 (appendix A.1, A.3, A.8) reception statistics of
// one source. It is not safe for concurrent use; the Stream guards it.
type receiveStats struct {
	started  bool
	ssrc     uint32
	baseSeq  uint16
	maxSeq   uint16
	cycles   uint32 // sequence number wraps, shifted: multiples of 65536
	received uint32

	expectedPrior uint32 // at the last reception report
	receivedPrior uint32

	clockBase   time.Time // arrival times are measured from here
	haveTransit bool
	transit     int64
	jitter      float64 // in RTP clock units

	lsr        uint32 // middle 32 bits of the NTP time of the peer's last SR
	lsrArrival time.Time

	lastFraction uint8 // the fraction lost of the last report, in 1/256
}

// update records an arrived packet. audio packets also feed the jitter estimate;
// telephone-event packets repeat their timestamp and would distort it. It
// returns an audio packet's transit (arrival less timestamp, in RTP clock units
// from the source's first arrival) and true.
func (r *receiveStats) update(seq uint16, ssrc, ts uint32, arrival time.Time, rate int, audio bool) (int64, bool) {
	if !r.started || ssrc != r.ssrc {
		*r = receiveStats{started: true, ssrc: ssrc, baseSeq: seq, maxSeq: seq, clockBase: arrival}
	}
	r.received++
	if delta := int16(seq - r.maxSeq); delta > 0 {
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	}
	if !audio || rate <= 0 {
		return 0, false
	}
	units := int64(arrival.Sub(r.clockBase)) * int64(rate) / int64(time.Second)
	transit := units - int64(ts)
	if r.haveTransit {
		d := transit - r.transit
		if d < 0 {
			d = -d
		}
		r.jitter += (float64(d) - r.jitter) / 16
	}
	r.transit, r.haveTransit = transit, true
	return transit, true
}

// extendedMax is the highest sequence number received, extended with wraps.
func (r *receiveStats) extendedMax() uint32 {
	return r.cycles + uint32(r.maxSeq)
}

// intervalLoss is the fraction lost of the last reception report.
func (r *receiveStats) intervalLoss() float64 {
	return float64(r.lastFraction) / 256
}

// expectedTotal is expected, 0 before any packet.
func (r *receiveStats) expectedTotal() uint64 {
	if !r.started {
		return 0
	}
	return uint64(r.expected())
}

// expected is the number of packets the sender sent since the first one seen.
func (r *receiveStats) expected() uint32 {
	return r.extendedMax() - uint32(r.baseSeq) + 1
}

// lost is the cumulative number of packets lost; duplicates can make the raw
// difference negative, which reports as 0.
func (r *receiveStats) lost() uint64 {
	if !r.started {
		return 0
	}
	return uint64(max(int64(r.expected())-int64(r.received), 0))
}

// jitterDuration converts the estimate to time.
func (r *receiveStats) jitterDuration(rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(r.jitter * float64(time.Second) / float64(rate))
}

// senderReport records an SR from the peer, for LSR/DLSR in our next report.
func (r *receiveStats) senderReport(ntp uint64, arrival time.Time) {
	r.lsr = uint32(ntp >> 16)
	r.lsrArrival = arrival
}

// report builds the reception report block for the peer's source and starts a
// new reporting interval. ok is false before any packet arrived.
func (r *receiveStats) report(now time.Time) (rtcp.ReceptionReport, bool) {
	if !r.started {
		return rtcp.ReceptionReport{}, false
	}
	expected := r.expected()
	expectedInterval := expected - r.expectedPrior
	receivedInterval := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received

	var fraction uint8
	if lostInterval := int64(expectedInterval) - int64(receivedInterval); expectedInterval > 0 && lostInterval > 0 {
		fraction = uint8(min(lostInterval<<8/int64(expectedInterval), 255))
	}
	r.lastFraction = fraction
	var dlsr uint32
	if r.lsr != 0 {
		dlsr = uint32(now.Sub(r.lsrArrival) * 65536 / time.Second)
	}
	return rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       fraction,
		TotalLost:          uint32(min(r.lost(), 1<<23-1)), // a 24-bit field
		LastSequenceNumber: r.extendedMax(),
		Jitter:             uint32(r.jitter),
		LastSenderReport:   r.lsr,
		Delay:              dlsr,
	}, true
}

// Stats returns a snapshot of the stream's counters.
func (s *Stream) Stats() Stats {
	s.mu.Lock()
	st := s.peer
	st.PacketsSent, st.BytesSent = s.tx.packets, s.tx.octets
	st.Expected, st.Lost = s.rx.expectedTotal(), s.rx.lost()
	st.IntervalLoss = s.rx.intervalLoss()
	if s.params.Codec != nil {
		st.Codec = s.params.Codec.Name()
		st.Jitter = s.rx.jitterDuration(s.params.Codec.ClockRate())
	}
	s.mu.Unlock()
	js := s.jitter.Stats()
	st.Late, st.Duplicate, st.Discarded = js.Late, js.Duplicate, js.Overflow
	st.JitterDelay = time.Duration(s.jitter.Len()) * s.packetDuration()
	st.JitterTarget = time.Duration(s.jitter.Target()) * audio.FrameMillis * time.Millisecond
	st.JitterDropped, st.JitterInserted = js.Dropped, js.Inserted
	st.Concealed, st.FECDecoded = s.concealed.Load(), s.fecDecoded.Load()
	st.CNSent, st.CNReceived = s.cnSent.Load(), s.cnRecv.Load()
	st.PacketsReceived, st.BytesReceived = s.received.Load(), s.receivedB.Load()
	st.Ignored = s.ignored.Load()
	return st
}

// packetDuration is the audio in the last packet decoded; a frame before any.
func (s *Stream) packetDuration() time.Duration {
	n := cmp.Or(int(s.rxPacket.Load()), audio.FrameSamples)
	return time.Duration(n) * time.Second / audio.SampleRate
}

package media

import (
	"errors"
	"math/rand/v2"
	"net"
	"time"

	"github.com/pion/rtcp"
)

// DefaultRTCPInterval is the mean interval between RTCP sender reports.
const DefaultRTCPInterval = 5 * time.Second

// ntpEpochOffset is the number of seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// rtcpDelay randomizes the report interval to between 0.5 and 1.5 times base
// (RFC 3550 section 6.3.1), so that many endpoints do not report in lockstep.
// r is uniform in [0, 1).
func rtcpDelay(base time.Duration, r float64) time.Duration {
	return time.Duration(float64(base) * (0.5 + r))
}

// toNTP converts t to the 64-bit NTP timestamp format.
func toNTP(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// sendReports is the goroutine that sends a sender report every interval, once
// the stream is started.
func (s *Stream) sendReports() {
	defer s.wg.Done()
	timer := time.NewTimer(rtcpDelay(s.cfg.RTCPInterval, rand.Float64()))
	defer timer.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-timer.C:
			s.sendRTCP(false)
			timer.Reset(rtcpDelay(s.cfg.RTCPInterval, rand.Float64()))
		}
	}
}

// roundTrip is the round-trip time of RFC 3550 section 6.4.1: the report's
// arrival minus the time of the SR it answers (lsr, the middle 32 bits of its NTP
// time) minus the peer's delay since that SR (dlsr), all in 1/65536 s, at least
// one such unit. ok is
// false for a report that answers no SR (lsr 0) or whose figures do not add up
// (a negative result, from a peer's clock or a bogus DLSR).
func roundTrip(arrival time.Time, lsr, dlsr uint32) (time.Duration, bool) {
	if lsr == 0 {
		return 0, false
	}
	a := uint32(toNTP(arrival) >> 16)
	units := int32(a - lsr - dlsr)
	if units < 0 {
		return 0, false
	}
	// A round trip shorter than the unit (on loopback) reads as one unit, so
	// that a measured RTT is never taken for none.
	return time.Duration(int64(max(units, 1)) * int64(time.Second) >> 16), true
}

// sendBye sends a final report with a BYE.
func (s *Stream) sendBye() {
	s.sendRTCP(true)
}

// sendRTCP sends one compound packet: SR, SDES CNAME and, with bye, a BYE.
func (s *Stream) sendRTCP(bye bool) {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return
	}
	pkts := s.buildReport(s.now(), bye)
	conn, dst := s.rtcp, s.remoteRTCP
	if s.params.RTCPMux {
		conn, dst = s.rtp, s.remote
	}
	s.mu.Unlock()

	b, err := rtcp.Marshal(pkts)
	if err != nil {
		s.log.Warn("RTCP marshal", "err", err)
		return
	}
	if sec := s.srtp.Load(); sec != nil {
		if b, err = sec.protectRTCP(b); err != nil {
			s.log.Warn("SRTCP protect", "err", err)
			return
		}
	}
	if _, err := conn.WriteToUDP(b, dst); err != nil {
		if !errors.Is(err, net.ErrClosed) {
			s.log.Debug("RTCP send", "err", err)
		}
		return
	}
	s.mu.Lock()
	s.peer.RTCPSent++
	s.mu.Unlock()
}

// buildReport assembles the compound packet for now. The caller holds s.mu.
func (s *Stream) buildReport(now time.Time, bye bool) []rtcp.Packet {
	if s.tx.packets > 0 && now.Sub(s.tx.lastAt) > 2*s.cfg.RTCPInterval {
		return s.receiverReport(now, bye)
	}
	sr := &rtcp.SenderReport{
		SSRC:        s.ssrc,
		NTPTime:     toNTP(now),
		RTPTime:     s.rtpTimeAt(now),
		PacketCount: uint32(s.tx.packets),
		OctetCount:  uint32(s.tx.octets),
	}
	if rr, ok := s.rx.report(now); ok {
		sr.Reports = []rtcp.ReceptionReport{rr}
	}
	pkts := []rtcp.Packet{sr, rtcp.NewCNAMESourceDescription(s.ssrc, s.cname)}
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
	return pkts
}

// receiverReport is the compound packet of a stream that has stopped sending
// (for two report intervals, RFC 3550 section 6.4): an RR instead of an SR. The
// caller holds s.mu.
func (s *Stream) receiverReport(now time.Time, bye bool) []rtcp.Packet {
	rr := &rtcp.ReceiverReport{SSRC: s.ssrc}
	if block, ok := s.rx.report(now); ok {
		rr.Reports = []rtcp.ReceptionReport{block}
	}
	pkts := []rtcp.Packet{rr, rtcp.NewCNAMESourceDescription(s.ssrc, s.cname)}
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
	return pkts
}

// rtpTimeAt extrapolates the sent stream's RTP timestamp to now. The caller holds s.mu.
func (s *Stream) rtpTimeAt(now time.Time) uint32 {
	if s.tx.lastAt.IsZero() {
		return s.initialTS
	}
	elapsed := int64(now.Sub(s.tx.lastAt)) * int64(s.tx.rate) / int64(time.Second)
	return s.tx.lastTS + uint32(elapsed)
}

// readRTCP is the receive goroutine of the RTCP socket.
func (s *Stream) readRTCP() {
	defer s.wg.Done()
	buf := make([]byte, maxPacket)
	plain := make([]byte, 0, maxPacket)
	for {
		n, src, err := s.rtcp.ReadFromUDP(buf)
		if err != nil {
			if s.isDone() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Debug("RTCP read", "err", err)
			continue
		}
		if s.mux.Load() {
			s.ignored.Add(1) // RTCP comes on the RTP port
			continue
		}
		s.takeRTCP(buf[:n], plain, src)
	}
}

// takeRTCP unprotects b, a datagram of RTCP from src, when SRTP runs, and
// handles it. plain is a buffer for the unprotected packet.
func (s *Stream) takeRTCP(b, plain []byte, src *net.UDPAddr) {
	if sec := s.srtp.Load(); sec != nil {
		var err error
		if b, err = sec.unprotectRTCP(plain[:0], b); err != nil {
			s.ignored.Add(1)
			return
		}
	}
	s.handleRTCP(b, src)
}

// isRTCP reports whether a datagram on the RTP port is RTCP (RFC 5761 section
// 4): its second byte, the RTCP packet type, is 192 to 223, which no RTP payload
// type with or without the marker bit takes (the range RTP leaves out). SRTCP
// keeps that byte in clear.
func isRTCP(b []byte) bool {
	return len(b) >= 2 && b[1] >= 192 && b[1] <= 223
}

// handleRTCP takes one datagram from the RTCP socket: it counts sender and
// receiver reports, keeps the peer's view of our stream (loss, jitter) and notes
// a BYE. Malformed datagrams are ignored.
func (s *Stream) handleRTCP(b []byte, src *net.UDPAddr) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		s.ignored.Add(1)
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return
	}
	if !s.rtcpLatch && !s.params.RTCPMux { // muxed RTCP goes where RTP goes
		s.rtcpLatch = true
		if !sameAddr(src, s.remoteRTCP) {
			s.log.Info("symmetric RTCP: sending to the peer's source address", "sdp", s.remoteRTCP.String(), "source", src.String())
			s.remoteRTCP = cloneAddr(src)
		}
	}
	s.peer.RTCPReceived++
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			s.peer.PeerReports++
			s.rx.senderReport(p.NTPTime, now)
			s.takeReports(p.Reports, now)
		case *rtcp.ReceiverReport:
			s.peer.PeerReports++
			s.takeReports(p.Reports, now)
		case *rtcp.ExtendedReport:
			s.takeXR(p)
		case *rtcp.Goodbye:
			s.peer.PeerBye = true
		}
	}
}

// takeReports keeps the reception report about our SSRC, which arrived at now.
// The caller holds s.mu.
func (s *Stream) takeReports(reports []rtcp.ReceptionReport, now time.Time) {
	for _, r := range reports {
		if r.SSRC != s.ssrc {
			continue
		}
		if rtt, ok := roundTrip(now, r.LastSenderReport, r.Delay); ok {
			s.peer.RTT = rtt
		}
		s.peer.PeerFractionLost = float64(r.FractionLost) / 256
		s.peer.PeerLost = r.TotalLost
		if s.tx.rate > 0 {
			s.peer.PeerJitter = time.Duration(r.Jitter) * time.Second / time.Duration(s.tx.rate)
		}
	}
}

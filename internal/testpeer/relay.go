package testpeer

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/stun/v3"
)

// relayBlock is the number of a peer's RTP packets over which a Relay drops
// exactly round(Loss × relayBlock): the loss is as injected over any stretch
// of a call, at random places within each block.
const relayBlock = 20

// RelayOptions configures StartRelay.
type RelayOptions struct {
	// Loss is the fraction (0..1) of the peer's RTP packets dropped on their way
	// to the engine.
	Loss float64
	// Jitter holds each of the peer's RTP packets a random 0..Jitter before
	// passing it on, so that they may also arrive out of order.
	Jitter time.Duration
	// Seed makes the drops and delays repeatable.
	Seed uint64
}

// Relay is a lossy media path between the engine and a peer, on loopback. It
// is also the engine's STUN server (sip.stunServer): each socket of the engine
// that asks for its public address is given a relay port instead, which the
// engine then announces in its SDP (c=, m=, a=rtcp) as a desk behind a NAT
// would. The peer therefore sends its RTP and RTCP to the relay, which passes
// them on to the engine's socket, RTP after the drops and delays of
// RelayOptions; what the engine sends back through it (once it latches onto the
// relay's address) goes to the peer untouched.
type Relay struct {
	STUNAddr string // "127.0.0.1:port", for sip.stunServer

	opts  RelayOptions
	stun  *net.UDPConn
	wg    sync.WaitGroup
	timer sync.WaitGroup // delayed packets still to be sent

	mu      sync.Mutex
	pairs   map[uint16]*relayPair // by the engine's RTP port
	rng     *rand.Rand
	block   []bool // drop decisions of the current block of RTP packets
	dropped int
	passed  int
	closed  bool
	seen    []RTPSeen
}

// RTPSeen is the header of an RTP packet the relay saw, each way, as it came
// (before any drop): what the wire carried.
type RTPSeen struct {
	FromEngine bool
	PT         uint8
	Seq        uint16
	Timestamp  uint32
	Payload    int // octets
}

// Seen returns the RTP packets the relay has seen, both ways, in their order
// of arrival.
func (r *Relay) Seen() []RTPSeen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// see records b's header when it is RTP.
func (r *Relay) see(b []byte, fromEngine bool) {
	var p rtp.Packet
	if isRTCPPacket(b) || p.Unmarshal(b) != nil {
		return
	}
	r.mu.Lock()
	r.seen = append(r.seen, RTPSeen{FromEngine: fromEngine, PT: p.PayloadType, Seq: p.SequenceNumber, Timestamp: p.Timestamp, Payload: len(p.Payload)})
	r.mu.Unlock()
}

// relayPair relays one engine stream: an RTP and an RTCP socket of the relay
// for the engine's RTP port and the one above it.
type relayPair struct {
	conns [2]*net.UDPConn
}

// StartRelay starts a relay on loopback; t's cleanup stops it.
func StartRelay(t TB, opts RelayOptions) *Relay {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("relay: %v", err)
	}
	r := &Relay{STUNAddr: c.LocalAddr().String(), opts: opts, stun: c, pairs: map[uint16]*relayPair{},
		rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))}
	r.wg.Add(1)
	go r.serveSTUN(t)
	t.Cleanup(r.close)
	return r
}

// Counts returns how many of the peer's RTP packets the relay dropped and passed.
func (r *Relay) Counts() (dropped, passed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped, r.passed
}

func (r *Relay) close() {
	r.mu.Lock()
	r.closed = true
	r.stun.Close()
	for _, p := range r.pairs {
		p.conns[0].Close()
		p.conns[1].Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
	r.timer.Wait()
}

// serveSTUN answers Binding Requests: the engine's socket at port P (RTP if
// even, its RTCP if odd) learns the relay's matching port.
func (r *Relay) serveSTUN(t TB) {
	defer r.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, src, err := r.stun.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if err := req.Decode(); err != nil || req.Type != stun.BindingRequest {
			continue
		}
		mapped, err := r.mapped(src)
		if err != nil {
			t.Logf("relay: %v", err)
			continue
		}
		resp, err := stun.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
			&stun.XORMappedAddress{IP: mapped.Addr().AsSlice(), Port: int(mapped.Port())}, stun.Fingerprint)
		if err != nil {
			continue
		}
		_, _ = r.stun.WriteToUDPAddrPort(resp.Raw, src)
	}
}

// mapped returns the relay port that stands for the engine's socket src,
// opening the pair of its stream on the first ask.
func (r *Relay) mapped(src netip.AddrPort) (netip.AddrPort, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return netip.AddrPort{}, errors.New("closed")
	}
	rtpPort := src.Port() &^ 1
	p, ok := r.pairs[rtpPort]
	if !ok {
		var err error
		if p, err = r.openPair(netip.AddrPortFrom(src.Addr(), rtpPort)); err != nil {
			return netip.AddrPort{}, err
		}
		r.pairs[rtpPort] = p
	}
	return p.conns[src.Port()&1].LocalAddr().(*net.UDPAddr).AddrPort(), nil
}

// openPair binds the relay's two sockets for the engine's RTP address and
// starts relaying on them. The caller holds r.mu.
func (r *Relay) openPair(engineRTP netip.AddrPort) (*relayPair, error) {
	p := &relayPair{}
	for i := range p.conns {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			if i == 1 {
				p.conns[0].Close()
			}
			return nil, err
		}
		p.conns[i] = c
	}
	for i, c := range p.conns {
		engine := netip.AddrPortFrom(engineRTP.Addr(), engineRTP.Port()+uint16(i))
		r.wg.Add(1)
		go r.relay(c, engine, i == 0)
	}
	return p, nil
}

// relay moves datagrams through c: from the engine to the last peer address
// seen, from the peer to the engine. On the RTP socket (rtp) the peer's RTP
// packets take the drops and delays; RTCP, on either socket, passes as is.
func (r *Relay) relay(c *net.UDPConn, engine netip.AddrPort, rtp bool) {
	defer r.wg.Done()
	var peer netip.AddrPort
	buf := make([]byte, 1500)
	for {
		n, src, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		b := append([]byte(nil), buf[:n]...)
		if rtp {
			r.see(b, src == engine)
		}
		if src == engine {
			if peer.IsValid() {
				_, _ = c.WriteToUDPAddrPort(b, peer)
			}
			continue
		}
		peer = src
		if !rtp || isRTCPPacket(b) {
			_, _ = c.WriteToUDPAddrPort(b, engine)
			continue
		}
		drop, delay := r.impair()
		switch {
		case drop:
		case delay == 0:
			_, _ = c.WriteToUDPAddrPort(b, engine)
		default:
			r.timer.Add(1)
			time.AfterFunc(delay, func() {
				defer r.timer.Done()
				_, _ = c.WriteToUDPAddrPort(b, engine)
			})
		}
	}
}

// impair decides the fate of the peer's next RTP packet.
func (r *Relay) impair() (drop bool, delay time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.block) == 0 {
		r.block = make([]bool, relayBlock)
		drops := int(r.opts.Loss*relayBlock + 0.5)
		for i := range drops {
			r.block[i] = true
		}
		r.rng.Shuffle(len(r.block), func(i, j int) { r.block[i], r.block[j] = r.block[j], r.block[i] })
	}
	drop, r.block = r.block[0], r.block[1:]
	if drop {
		r.dropped++
		return true, 0
	}
	r.passed++
	if r.opts.Jitter > 0 {
		delay = time.Duration(r.rng.Int64N(int64(r.opts.Jitter) + 1))
	}
	return false, delay
}

// isRTCPPacket tells RTCP from RTP on a shared port (RFC 5761 section 4).
func isRTCPPacket(b []byte) bool {
	return len(b) >= 2 && b[1] >= 192 && b[1] <= 223
}

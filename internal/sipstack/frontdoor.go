package sipstack

import (
	"net"
	"net/netip"
	"time"

	"github.com/emiago/sipgo/sip"
)

// The front door stands between the sockets and sipgo. sipgo parses every datagram
// and every byte a TCP connection delivers, makes a transaction of every request and
// keeps it for up to 32 s; the source filter (filter.go) sees a request only after
// that. The door decides earlier, on the bytes as they were read, before any parse or
// allocation that grows with them:
//
//   - a request from a source the filter would refuse is dropped, but for an INVITE
//     (which the filter answers 403) and an ACK (which ends that answer's
//     transaction), and for a request naming the Call-ID of one of our calls (the
//     BYE of a peer we called directly);
//   - every source has a token bucket of messages: a generous one for the sources the
//     filter admits, a strict one for strangers, and all strangers together one more
//     that the admitted sources do not share, so a flood cannot starve the account's
//     server; beyond them datagrams are dropped (frontdoor_bucket.go);
//   - a request larger than maxRequest is answered 513 Message Too Large, without a
//     transaction, and goes no further;
//   - TCP connections are capped per source and in total, a message must arrive
//     whole within headerTimeout of its first byte, and a connection is closed after
//     idleTimeout without a message (frontdoor_tcp.go); a connection's stream is
//     cut into whole messages by their Content-Length (frontdoor_stream.go), and
//     each is judged as a datagram is, the door's answers written on it; every
//     write on it, the door's and sipgo's, goes out within writeTimeout or the
//     connection is closed.
//
//   - a malformed request (frontdoor_torture.go) is answered 400 Bad Request with
//     the fault in the reason phrase (416 for a Request-URI scheme we do not serve,
//     505 for a SIP version other than 2.0), without a transaction, and goes no
//     further; an ACK is never answered.

// Front door limits.
const (
	// maxRequest is the largest request we process: beyond any real INVITE (a video
	// offer with every ICE candidate is under 10 KB), well within one datagram.
	maxRequest = 32 * 1024
	// maxDatagram is the largest UDP payload over IPv4 (65,535 - 8 - 20); sipgo's
	// read buffer is raised to hold it whole (init below).
	maxDatagram = 65507

	admittedRate      = 1000 // messages per second from one address the filter admits, sustained
	admittedBurst     = 2000 // ... and at once
	strangerRate      = 40   // messages per second from one other address, sustained
	strangerBurst     = 80   // ... and at once
	allStrangersRate  = 400  // messages per second from all other addresses together
	allStrangersBurst = 800
	maxSources        = 4096 // source addresses tracked at once, per class (frontdoor_bucket.go)

	maxConnsPerSource = 8                // TCP connections from one address
	maxConns          = 256              // TCP connections accepted in all
	headerTimeout     = 5 * time.Second  // from a message's first byte to its last
	idleTimeout       = 2 * time.Minute  // without a message on an accepted connection
	writeTimeout      = 5 * time.Second  // for the door's own answer on a connection
	maxMethod         = 64               // bytes of a method the door reads (frontdoor_peek.go)
	maxLogContent     = 256              // bytes of a bad packet shown, at debug level
	logBurst          = 5                // lines per kind of trouble per logInterval
	logInterval       = 10 * time.Second // ... the rest counted and told in the next line
)

func init() {
	// sipgo reads datagrams into a buffer of TransportBufferReadSize bytes and cuts
	// the rest; a uint16 holds all of maxDatagram.
	sip.TransportBufferReadSize = 65535
	// sipgo refuses to send a message over UDP within 200 bytes of UDPMTUSize. RFC
	// 3261 section 18.1.1 would move a request of more than 1,300 bytes to TCP, which
	// is right only where the server listens on TCP. Only DNS tells us so: a request
	// to an account's server found through its NAPTR records (routes.go), which
	// offer TCP, moves to TCP. Any other goes over the transport its account or
	// target names, UDP fragmented if need be, as pjsua does by default: an account
	// naming a server and port may name one that takes UDP only. A response goes
	// back the way its request came (section 18.2.2).
	sip.UDPMTUSize = maxDatagram + 200
}

// door is the front door's state, shared by the UDP socket and the TCP listener.
type door struct {
	s       *Stack
	buckets buckets
	conns   connCounter
	log     *quietLog

	headerTimeout, idleTimeout, writeTimeout time.Duration
}

func newDoor(s *Stack) *door {
	d := &door{s: s, buckets: newBuckets(time.Now), conns: connCounter{per: map[netip.Addr]int{}}, log: newQuietLog(s.log),
		headerTimeout: headerTimeout, idleTimeout: idleTimeout, writeTimeout: writeTimeout}
	if t := s.cfg.doorTimeouts; t != nil {
		d.headerTimeout, d.idleTimeout = t[0], t[1]
	}
	if t := s.cfg.doorWriteTimeout; t != 0 {
		d.writeTimeout = t
	}
	return d
}

// verdict is what the door does with one message.
type verdict int

const (
	pass      verdict = iota // on to sipgo
	drop                     // silently
	tooBig                   // answer 513 and drop
	refuse                   // answer 403 and drop: a stranger's INVITE
	malformed                // answer 400 (or 416, 505) and drop (frontdoor_torture.go)
)

// judge decides on one message of data from src.
func (d *door) judge(data []byte, src netip.Addr) verdict {
	return d.judgeHead(data, len(data), src, false)
}

// judgeHead decides on a message of size bytes from src, of which data holds all,
// or the headers only when it is larger than maxRequest (a stream's message, whose
// body is not held). reliable tells a stream's message from a datagram.
func (d *door) judgeHead(data []byte, size int, src netip.Addr, reliable bool) verdict {
	if isKeepAlive(data) {
		return pass
	}
	// Who sends is judged before the rate: a stranger's flood spends the strangers'
	// buckets, never those of the account's server or of a peer in one of our calls.
	admitted := d.s.admitsSource(src)
	ours := !admitted && d.s.hasCallID(callID(data))
	if !d.buckets.take(src, admitted || ours) {
		d.log.note("rate", "messages beyond the rate limit dropped", "source", src.String())
		return drop
	}
	method, isRequest := startLine(data)
	if !isRequest {
		return pass // a response: sipgo matches it to a transaction of ours or drops it
	}
	if !admitted && !ours && method != "INVITE" {
		d.log.note("stranger", "request from a source the filter refuses dropped", "source", src.String(), "method", method)
		return drop
	}
	if size > maxRequest {
		d.log.note("size", "request too large", "source", src.String(), "bytes", size)
		if admitted && method != "ACK" {
			return tooBig
		}
		return drop
	}
	if f := inspect(data, reliable); f != nil {
		d.log.note("malformed", "malformed request refused", "source", src.String(), "method", method, "reason", f.reason)
		if admitted && method != "ACK" {
			return malformed
		}
		return drop
	}
	if !admitted && !ours {
		// The filter's 403 to a stranger's INVITE (filter.go), said here without a
		// transaction: a scanner's INVITEs cost nothing kept, and their ACKs,
		// which would end that transaction, are dropped above.
		d.log.note("stranger", "INVITE from a source the filter refuses answered 403", "source", src.String())
		return refuse
	}
	return pass
}

// statelessAnswer is the response with code and reason to the request in data, nil
// if it does not parse.
func statelessAnswer(data []byte, code int, reason string) []byte {
	msg, err := sip.ParseMessage(data)
	req, ok := msg.(*sip.Request)
	if err != nil || !ok {
		return nil
	}
	return []byte(sip.NewResponseFromRequest(req, code, reason, nil).String())
}

// addrOf is the IP address of a socket address, unmapped.
func addrOf(a net.Addr) netip.Addr {
	switch a := a.(type) {
	case *net.UDPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	case *net.TCPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap.Addr().Unmap()
}

package sipstack

import (
	"strconv"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// Behind a NAT the address we send from is not the one the registrar sees. Every
// request asks for rport (RFC 3581), so the registrar's answer names, in the
// received and rport parameters of our Via, the address and port our REGISTER came
// from. When they differ from the Via's sent-by (the address we sent from), that
// public address replaces ours in Contact, as pjsua's allowContactRewrite does: in
// the REGISTER, refreshed at once (the loop re-registers), and in the Contact of every
// dialog on that transport and local address, so the registrar and the far end
// reach us through the NAT's mapping. SDP is left alone: the RTP socket has its own
// mapping, which only STUN could learn; symmetric RTP covers it meanwhile.
//
// The REGISTER that moves the binding also removes the old one: it carries the old
// Contact with expires=0 beside the new one (RFC 3261 §10.2.2), so the registrar
// keeps no binding to an address it cannot reach and never forks a call there. One
// request does it, so there is no moment with no binding at all (pjsua unregisters
// the old Contact in a request of its own).

// hostPort is a public address.
type hostPort struct {
	host string
	port int
}

// publicAddrs is our address as the registrar saw it, per transport and local
// address, learned from the REGISTER's answers. Safe for concurrent use.
type publicAddrs struct {
	mu sync.Mutex
	m  map[string]hostPort
}

func publicKey(transport, localIP string) string { return transport + " " + localIP }

// get returns the public address learned for transport and the local address ip.
func (p *publicAddrs) get(transport, ip string) (hostPort, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hp, ok := p.m[publicKey(transport, ip)]
	return hp, ok
}

// learn reads the top Via of a response to a request sent over transport from the
// local address ip. It records the public address when received/rport differ from
// the sent-by, and forgets it when they match (no NAT, or no longer).
func (p *publicAddrs) learn(transport, ip string, res *sip.Response) {
	via := res.Via()
	if via == nil {
		return
	}
	seen := hostPort{host: via.Host, port: via.Port}
	if v, ok := via.Params.Get("received"); ok && v != "" {
		seen.host = strings.Trim(v, "[]")
		if !validHost(seen.host) {
			return
		}
	}
	if v, ok := via.Params.Get("rport"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 65535 {
			return
		}
		seen.port = n
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	key := publicKey(transport, ip)
	if seen.host == via.Host && seen.port == via.Port {
		delete(p.m, key)
		return
	}
	if p.m == nil {
		p.m = map[string]hostPort{}
	}
	p.m[key] = seen
}

package sipstack

import (
	"net"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// The address we advertise in Via, Contact and SDP is chosen per destination when the
// request is made, not once at start: a stack bound to one address always advertises
// that one; a stack listening on every address advertises, for each request, the local
// address the system routes to where the request goes. An account entered at run time
// thus registers at once from the address that reaches its server, whatever the
// engine started with.

// localIP is the address to advertise to host (an IP or a name).
func (s *Stack) localIP(host string) string {
	if s.fixedIP != nil {
		return s.fixedIP.String()
	}
	if h, ok := s.resolvedHop(host); ok {
		host = hopHost(h) // the account's domain: the address its DNS records gave
	}
	if ip := s.sources.addrOf(host); ip != nil {
		host = ip.String() // a name the account's resolution already looked up
	}
	if ip := routeSource(host); ip != nil && !ip.IsUnspecified() {
		return ip.String()
	}
	return loopbackIP
}

// LocalIPFor is the address to advertise, and to bind RTP to, for a call to target (a
// URI, as ParseTarget returns it): the one that routes to the outbound proxy when the
// account has one, else to target's host.
func (s *Stack) LocalIPFor(target string) string {
	acc, hasAcc := s.account()
	u, err := parseURI(strings.Trim(target, " \t"))
	if err != nil {
		return s.localIP(acc.domain())
	}
	return s.localIP(firstHop(acc, hasAcc, u))
}

// firstHop is the host a request to target is sent to: the account's outbound proxy,
// if it has one, else the request URI's host.
func firstHop(acc Account, hasAcc bool, target sip.Uri) string {
	if hasAcc && acc.OutboundProxy != "" {
		host, _, _ := splitHostPort(acc.OutboundProxy)
		return host
	}
	return target.Host
}

// serverHop is the host REGISTERs are sent to.
func serverHop(acc Account) string {
	if acc.OutboundProxy != "" {
		host, _, _ := splitHostPort(acc.OutboundProxy)
		return host
	}
	return acc.domain()
}

// sourceHost is the host part of the address a request came from ("" if unknown).
func sourceHost(req *sip.Request) string {
	host, _, err := net.SplitHostPort(req.MessageData.Source())
	if err != nil {
		return ""
	}
	return host
}

// client is the sipgo client for requests over transport that advertise ip. UDP
// requests leave from the listening socket; a stack listening on every address keeps
// one client per advertised address, so sipgo writes that address in Via. TCP and TLS
// take Via from the connection the kernel opens, which already has the right address.
func (s *Stack) client(transport, ip string) *sipgo.Client {
	if transport != "UDP" {
		return s.tcpClient
	}
	if s.fixedIP != nil {
		return s.udpClient
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.udpClients[ip]; c != nil {
		return c
	}
	c, err := s.newUDPClient(ip)
	if err != nil {
		s.log.Warn("udp client", "ip", ip, "error", err)
		return s.udpClient
	}
	s.udpClients[ip] = c
	return c
}

// newUDPClient makes a client whose UDP requests leave from the listening socket and
// name ip and the listening port in Via.
func (s *Stack) newUDPClient(ip string) (*sipgo.Client, error) {
	return s.newClient(sipgo.WithClientLogger(s.log), sipgo.WithClientHostname(ip),
		sipgo.WithClientPort(s.udpLaddr.Port), sipgo.WithClientConnectionAddr(s.udpLaddr.String()), sipgo.WithClientNAT())
}

// newClient makes a sipgo client of the stack's user agent whose requests go out
// through the stack's send gate (sendgate.go).
func (s *Stack) newClient(opts ...sipgo.ClientOption) (*sipgo.Client, error) {
	c, err := sipgo.NewClient(s.ua, opts...)
	if err != nil {
		return nil, err
	}
	c.TxRequester = s.gate
	return c, nil
}

package sipstack

import (
	"net"
	"time"
)

// loopbackIP is the address used when nothing routes anywhere: no server yet, or no
// route to it.
const loopbackIP = "127.0.0.1"

// routeTimeout bounds the name lookup of a route query.
const routeTimeout = 2 * time.Second

// LocalIP is the address SIP and RTP use and advertise. It is listenIP itself unless
// that is "auto"; for "auto" it is the local address the system routes to server by
// (server is host or host:port; connecting a UDP socket sends nothing), or 127.0.0.1
// when there is no server yet or no route to it.
func LocalIP(listenIP, server string) string {
	if listenIP != "auto" {
		return listenIP
	}
	if server == "" {
		return loopbackIP
	}
	host := server
	if h, _, err := net.SplitHostPort(server); err == nil {
		host = h
	}
	if ip := routeSource(host); ip != nil {
		return ip.String()
	}
	return loopbackIP
}

// routeSource is the local address the system would send a packet to host from (an
// IP, or a name it looks up), or nil when host does not resolve or nothing routes to
// it. It connects a UDP socket, which sends nothing.
func routeSource(host string) net.IP {
	if host == "" {
		return nil
	}
	d := net.Dialer{Timeout: routeTimeout}
	conn, err := d.Dial("udp", net.JoinHostPort(host, "5060"))
	if err != nil {
		return nil
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP
}

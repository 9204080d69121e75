package sipstack

import "net"

// LocalIP is the address SIP and RTP use and advertise. It is listenIP itself unless
// that is "auto"; for "auto" it is the local address the system routes to server by
// (server is host or host:port; connecting a UDP socket sends nothing), or 127.0.0.1
// when there is no server yet or no route to it.
func LocalIP(listenIP, server string) string {
	if listenIP != "auto" {
		return listenIP
	}
	const fallback = "127.0.0.1"
	if server == "" {
		return fallback
	}
	host := server
	if h, _, err := net.SplitHostPort(server); err == nil {
		host = h
	}
	conn, err := net.Dial("udp", net.JoinHostPort(host, "5060"))
	if err != nil {
		return fallback
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP.String()
}

package testpeer

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"time"
)

// sipOptions sends one SIP OPTIONS over network ("udp" or "tcp") to addr
// (host:port) from an ephemeral port and returns the status line and
// headers of the first response, starting "SIP/2.0 200 Keepalive" when
// kamailio answers. A loopback addr is asked from a loopback port; any
// other from the address the system routes to it by (a Namespace's link).
func sipOptions(network, addr string, timeout time.Duration) (string, error) {
	return sipOptionsWith(network, addr, nil, timeout)
}

// sipOptionsWith is sipOptions that also speaks "tls", verifying the server's
// certificate against roots.
func sipOptionsWith(network, addr string, roots *x509.CertPool, timeout time.Duration) (string, error) {
	dialer := net.Dialer{Timeout: timeout}
	if host, _, _ := net.SplitHostPort(addr); net.ParseIP(host).IsLoopback() {
		if network == "udp" {
			dialer.LocalAddr = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
		} else {
			dialer.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
		}
	}
	var conn net.Conn
	var err error
	if network == "tls" {
		tlsDialer := tls.Dialer{NetDialer: &dialer, Config: &tls.Config{RootCAs: roots}}
		conn, err = tlsDialer.Dial("tcp", addr)
	} else {
		conn, err = dialer.Dial(network, addr)
	}
	if err != nil {
		return "", err
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	id := rand.Text()
	req := strings.Join([]string{
		fmt.Sprintf("OPTIONS sip:%s SIP/2.0", addr),
		fmt.Sprintf("Via: SIP/2.0/%s %s;rport;branch=z9hG4bK%s", strings.ToUpper(network), local, id),
		"Max-Forwards: 70",
		fmt.Sprintf("From: <sip:probe@%s>;tag=%s", local, id[:10]),
		fmt.Sprintf("To: <sip:%s>", addr),
		fmt.Sprintf("Call-ID: %s@%s", id, loopback),
		"CSeq: 1 OPTIONS",
		"Content-Length: 0",
		"", "",
	}, "\r\n")
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}
	if _, err := conn.Write([]byte(req)); err != nil {
		return "", err
	}
	// Read up to the blank line that ends the headers, whether they come
	// in one datagram or on a stream.
	r := bufio.NewReader(conn)
	var head strings.Builder
	for {
		line, err := r.ReadString('\n')
		head.WriteString(line)
		if err != nil {
			return head.String(), fmt.Errorf("incomplete response %q: %w", head.String(), err)
		}
		if strings.TrimSpace(line) == "" {
			return head.String(), nil
		}
	}
}

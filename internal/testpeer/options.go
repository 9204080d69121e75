package testpeer

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"net"
	"strings"
	"time"
)

// sipOptions sends one SIP OPTIONS over UDP to addr (host:port) from an
// ephemeral loopback port and returns the status line of the first
// response, e.g. "SIP/2.0 200 Keepalive".
func sipOptions(addr string, timeout time.Duration) (string, error) {
	raddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return "", err
	}
	conn, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, raddr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	id := rand.Text()
	req := strings.Join([]string{
		fmt.Sprintf("OPTIONS sip:%s SIP/2.0", addr),
		fmt.Sprintf("Via: SIP/2.0/UDP %s;rport;branch=z9hG4bK%s", local, id),
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
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		return "", err
	}
	status, err := bufio.NewReader(strings.NewReader(string(buf[:n]))).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("response without a status line: %q", buf[:n])
	}
	return strings.TrimSpace(status), nil
}

package sipstack

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLargeRequestKeepsItsTransport: a request larger than 1,300 bytes goes over
// the transport its target names, not over TCP as RFC 3261 section 18.1.1 would
// have it: over UDP, whole in one datagram (fragmented by IP if need be), when
// nothing says that the server listens on TCP; over TCP when the target says so.
func TestLargeRequestKeepsItsTransport(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	sdp := string(testSDP(40000)) + strings.Repeat("a=x-padding:"+strings.Repeat("p", 60)+"\r\n", 30)

	udp := udpFrom(t, "127.0.0.1")
	port := udp.LocalAddr().(*net.UDPAddr).Port
	if _, err := st.Dial(DialOptions{Target: "sip:bob@127.0.0.1:" + strconv.Itoa(port), SDP: []byte(sdp)}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	_ = udp.SetReadDeadline(time.Now().Add(waitFor))
	n, _, err := udp.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no INVITE over UDP: %v", err)
	}
	if n <= 1300 || !strings.HasPrefix(string(buf[:n]), "INVITE ") {
		t.Fatalf("over UDP: %d bytes, %.20q; want an INVITE of more than 1,300 bytes", n, buf[:n])
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	target := "sip:bob@" + ln.Addr().String() + ";transport=tcp"
	if _, err := st.Dial(DialOptions{Target: target, SDP: []byte(sdp)}); err != nil {
		t.Fatal(err)
	}
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(waitFor))
	conn, err := ln.Accept()
	if err != nil {
		t.Fatalf("no connection for the INVITE over TCP: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(waitFor))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "INVITE ") || !strings.Contains(line, "transport=tcp") {
		t.Fatalf("over TCP: %q, %v; want the INVITE", line, err)
	}
}

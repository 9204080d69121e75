package sipstack

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// farEnd is the sender of the torture messages: a loopback address of its own
// (127.x.y.z, from the test's PID, so that parallel runs never meet) with UDP and
// TCP listeners on every port the messages' Via headers name. A UAS answers to the
// source address and the Via's port (RFC 3261 section 18.2.2), not to the sending
// socket, so the answers arrive here.
type farEnd struct {
	ip      net.IP
	mu      sync.Mutex
	got     []string   // the status lines received, in order
	conns   []net.Conn // accepted, closed when the test ends
	arrived chan struct{}
}

// viaPorts are the sent-by ports of the messages' top Via headers (5060 when none).
var viaPorts = []int{5060, 5050, 5070, 6050, 19823}

func newFarEnd(t *testing.T) *farEnd {
	t.Helper()
	pid := os.Getpid()
	f := &farEnd{ip: net.IPv4(127, byte(100+pid%100), byte(pid>>8), byte(pid)), arrived: make(chan struct{}, 1024)}
	if f.ip[15] == 0 || f.ip[15] == 255 {
		f.ip[15] = 1
	}
	t.Cleanup(func() { // after the listeners' cleanups: no connection comes any more
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, c := range f.conns {
			c.Close()
		}
	})
	for _, port := range viaPorts {
		addr := net.JoinHostPort(f.ip.String(), strconv.Itoa(port))
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			t.Fatalf("far end: %v", err)
		}
		t.Cleanup(func() { pc.Close() })
		go f.readDatagrams(pc)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("far end: %v", err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				f.mu.Lock()
				f.conns = append(f.conns, c)
				f.mu.Unlock()
				go f.readStream(c)
			}
		}()
	}
	return f
}

func (f *farEnd) readDatagrams(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		f.note(buf[:n])
	}
}

// readStream notes the status lines that come on a connection (a stream, or a
// connected UDP socket); no body here holds a line starting "SIP/2.0 ", so no
// framing is needed to find them.
func (f *farEnd) readStream(c net.Conn) {
	buf := make([]byte, 65535)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			f.note(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (f *farEnd) note(b []byte) {
	for _, line := range bytes.Split(b, []byte("\r\n")) {
		if code, ok := bytes.CutPrefix(line, []byte("SIP/2.0 ")); ok && len(code) >= 3 {
			f.mu.Lock()
			f.got = append(f.got, string(code[:3]))
			f.mu.Unlock()
			f.arrived <- struct{}{}
		}
	}
}

// take returns and forgets the status codes received so far.
func (f *farEnd) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	got := f.got
	f.got = nil
	return got
}

// send sends data to the stack over proto ("udp" or "tcp") from the far end's
// address; a TCP connection stays open until the test ends, for the answers.
func (f *farEnd) send(t *testing.T, st *Stack, proto string, data []byte) {
	t.Helper()
	to := st.UDPAddr()
	if proto == "tcp" {
		to = st.TCPAddr()
	}
	d := net.Dialer{LocalAddr: &net.UDPAddr{IP: f.ip}}
	if proto == "tcp" {
		d.LocalAddr = &net.TCPAddr{IP: f.ip}
	}
	c, err := d.Dial(proto, to)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go f.readStream(c) // the door answers a malformed datagram to its source
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
}

// probe is an OPTIONS from the far end that the stack answers 200 when it is alive.
func (f *farEnd) probe(n int) []byte {
	return []byte(fmt.Sprintf("OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-probe-%d\r\n"+
		"From: <sip:probe@%s>;tag=p%d\r\nTo: <sip:alice@127.0.0.1>\r\n"+
		"Call-ID: probe-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", f.ip, n, f.ip, n, n))
}

// wait waits up to d for the next status line.
func (f *farEnd) wait(d time.Duration) bool {
	select {
	case <-f.arrived:
		return true
	case <-time.After(d):
		return false
	}
}

package sipstack

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// options is an OPTIONS request from a UDP or TCP socket at from, with extra headers
// and a body of pad bytes.
func options(proto string, from net.Addr, n int, extra string, pad int) []byte {
	body := strings.Repeat("x", pad)
	return []byte(fmt.Sprintf("OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/%s %s;branch=z9hG4bK-door-%d;rport\r\n"+
		"From: <sip:probe@127.0.0.1>;tag=p%d\r\nTo: <sip:alice@127.0.0.1>\r\n"+
		"Call-ID: door-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n%s"+
		"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", proto, from, n, n, n, extra, len(body), body))
}

// udpFrom is a UDP socket on ip that reads the stack's answers.
func udpFrom(t *testing.T, ip string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// answer reads the next response on c, nil when none comes within d.
func answer(t *testing.T, c *net.UDPConn, d time.Duration) *sip.Response {
	t.Helper()
	buf := make([]byte, 65535)
	_ = c.SetReadDeadline(time.Now().Add(d))
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		return nil
	}
	msg, err := sip.ParseMessage(buf[:n])
	if err != nil {
		t.Fatalf("unparsable answer: %v", err)
	}
	res, _ := msg.(*sip.Response)
	return res
}

func sendTo(t *testing.T, c *net.UDPConn, st *Stack, b []byte) {
	t.Helper()
	to, _ := net.ResolveUDPAddr("udp", st.UDPAddr())
	if _, err := c.WriteTo(b, to); err != nil {
		t.Fatal(err)
	}
}

// TestFrontDoorSizes: a request of 60 KB is read whole and answered 513 without a
// transaction; a response of more than 1,300 bytes still goes over UDP.
func TestFrontDoorSizes(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	c := udpFrom(t, "127.0.0.1")

	sendTo(t, c, st, options("UDP", c.LocalAddr(), 1, "", 60_000))
	if res := answer(t, c, waitFor); res == nil || res.StatusCode != 513 {
		t.Fatalf("60 KB request: answer %v, want 513", res)
	}

	long := "X-Long: " + strings.Repeat("y", 2000) + "\r\n"
	to := strings.Replace(string(options("UDP", c.LocalAddr(), 2, "", 0)), "To: <sip:alice@127.0.0.1>",
		"To: \""+strings.Repeat("A", 1500)+"\" <sip:alice@127.0.0.1>", 1)
	sendTo(t, c, st, []byte(strings.Replace(to, "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n"+long, 1)))
	res := answer(t, c, waitFor)
	if res == nil || res.StatusCode != 200 {
		t.Fatalf("request with a long To: answer %v, want 200", res)
	}
	if n := len(res.String()); n <= 1300 {
		t.Fatalf("answer of %d bytes: the test wants one above 1,300", n)
	}
}

// invite is an INVITE without a body from a UDP socket at from.
func invite(from net.Addr, n int) []byte {
	return []byte(fmt.Sprintf("INVITE sip:alice@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-door-%d;rport\r\n"+
		"From: <sip:caller@192.0.2.1>;tag=c%d\r\nTo: <sip:alice@127.0.0.1>\r\n"+
		"Call-ID: door-invite-%d\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"+
		"Contact: <sip:caller@%s>\r\nContent-Length: 0\r\n\r\n", from, n, n, n, from))
}

// answeredCalls reads c's answers until none new has come for quiet, and returns
// how many calls (Call-IDs) were answered with code and when the last was. The
// retransmissions of an unacknowledged final answer count once.
func answeredCalls(t *testing.T, c *net.UDPConn, code int, quiet time.Duration) (int, time.Time) {
	t.Helper()
	seen := map[string]bool{}
	last := time.Now()
	for {
		res := answer(t, c, time.Until(last.Add(quiet)))
		if res == nil {
			return len(seen), last
		}
		id := res.CallID().Value()
		if res.StatusCode != code {
			t.Fatalf("call %s answered %d, want %d", id, res.StatusCode, code)
		}
		if !seen[id] {
			seen[id], last = true, time.Now()
		}
	}
}

// TestFrontDoorRateLimit: a stranger gets its burst of INVITEs answered (403) and
// no more; loopback, a source the filter admits, gets all of as many OPTIONS
// answered.
func TestFrontDoorRateLimit(t *testing.T) {
	st, _ := newWildcardStack(t, Config{})
	_, port, _ := net.SplitHostPort(st.UDPAddr())
	const sent = 3 * strangerBurst

	stranger := hostIP(t)
	c := udpFrom(t, stranger)
	to, _ := net.ResolveUDPAddr("udp", net.JoinHostPort(stranger, port))
	start := time.Now()
	for i := range sent {
		if _, err := c.WriteTo(invite(c.LocalAddr(), i), to); err != nil {
			t.Fatal(err)
		}
	}
	got, last := answeredCalls(t, c, 403, 500*time.Millisecond)
	// The door reads the datagrams as they come, no later than their answers.
	allowed := strangerBurst + int(last.Sub(start).Seconds()*strangerRate) + 1
	if got == 0 || got > allowed {
		t.Fatalf("stranger %s: %d of %d INVITEs answered, want 1 to %d", stranger, got, sent, allowed)
	}

	// Loopback's requests go one after the other (a burst would overflow the
	// sockets' buffers), faster than a stranger's limit would let them.
	c = udpFrom(t, "127.0.0.1")
	to, _ = net.ResolveUDPAddr("udp", net.JoinHostPort("127.0.0.1", port))
	start = time.Now()
	for i := range sent {
		if _, err := c.WriteTo(options("UDP", c.LocalAddr(), i, "", 0), to); err != nil {
			t.Fatal(err)
		}
		if res := answer(t, c, waitFor); res == nil || res.StatusCode != 200 {
			t.Fatalf("loopback's request %d: answer %v, want 200", i, res)
		}
	}
	if strict := strangerBurst + time.Since(start).Seconds()*strangerRate; sent <= strict {
		t.Fatalf("%d requests took %v: a stranger's limit would have let as many through", sent, time.Since(start))
	}
}

// TestFrontDoorKeepsLittle: large OPTIONS answered over UDP leave a few kilobytes
// bytes each in their transactions, not the request.
func TestFrontDoorKeepsLittle(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	before := heap()
	answered := 0
	for src := 2; src <= 6; src++ { // five addresses, 80 requests each
		c := udpFrom(t, fmt.Sprintf("127.0.0.%d", src))
		for i := range 80 {
			sendTo(t, c, st, options("UDP", c.LocalAddr(), src*1000+i, "", 29_000))
			if res := answer(t, c, waitFor); res == nil || res.StatusCode != 200 {
				t.Fatalf("request %d from 127.0.0.%d: answer %v, want 200", i, src, res)
			}
			answered++
		}
	}
	grown := int64(heap()) - int64(before)
	t.Logf("%d requests of 29 KB answered, heap grew by %d KB", answered, grown/1024)
	if limit := int64(answered) * 8192; grown > limit {
		t.Fatalf("heap grew by %d KB for %d answered requests, want under %d KB", grown/1024, answered, limit/1024)
	}
}

// TestFrontDoorConnCap: one address keeps maxConnsPerSource connections; the next
// are closed at once.
func TestFrontDoorConnCap(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	var kept, closed int
	for range maxConnsPerSource + 4 {
		c, err := net.Dial("tcp", st.TCPAddr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		_, err = c.Read(make([]byte, 1))
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			kept++ // still open
		case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || err != nil:
			closed++
		}
	}
	if kept != maxConnsPerSource || st.door.conns.open() != maxConnsPerSource {
		t.Fatalf("%d connections kept (the door counts %d), %d closed; want %d kept", kept, st.door.conns.open(), closed, maxConnsPerSource)
	}
}

// TestFrontDoorSlowSender: a connection trickling a request line by line is closed
// headerTimeout after its first byte; a whole request on an idle connection is
// answered, and the idle connection closed after idleTimeout.
func TestFrontDoorSlowSender(t *testing.T) {
	rec := newRecorder(t)
	timeouts := [2]time.Duration{300 * time.Millisecond, 600 * time.Millisecond}
	st, err := New(Config{ListenIP: "127.0.0.1", OnEvent: rec.on, Logger: slog.New(slog.DiscardHandler), doorTimeouts: &timeouts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	slow, err := net.Dial("tcp", st.TCPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	start := time.Now()
	closedAt := make(chan time.Duration, 1)
	go func() {
		_, _ = io.Copy(io.Discard, slow)
		closedAt <- time.Since(start)
	}()
	lines := strings.SplitAfter(string(options("TCP", slow.LocalAddr(), 1, "", 0)), "\r\n")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
trickle:
	for _, line := range lines {
		if _, err := slow.Write([]byte(line)); err != nil {
			break
		}
		select {
		case <-tick.C:
		case <-closedAt:
			closedAt <- time.Since(start)
			break trickle
		}
	}
	select {
	case d := <-closedAt:
		if d > 2*timeouts[0] {
			t.Fatalf("slow sender closed after %v, want about %v", d, timeouts[0])
		}
	case <-time.After(waitFor):
		t.Fatal("slow sender never closed")
	}

	fast, err := net.Dial("tcp", st.TCPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	if _, err := fast.Write(options("TCP", fast.LocalAddr(), 2, "", 100)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(fast)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
		t.Fatalf("whole request: answer %q, %v; want 200", line, err)
	}
	start = time.Now()
	_, _ = io.Copy(io.Discard, r)
	if d := time.Since(start); d < timeouts[1]/2 || d > 3*timeouts[1] {
		t.Fatalf("idle connection closed after %v, want about %v", d, timeouts[1])
	}
}

// judgedRequest is a request such as a phone sends, with every header a request
// needs and no body, naming the Call-ID callID.
func judgedRequest(method, callID string) []byte {
	return []byte(method + " sip:a@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bK-" + method + "\r\n" +
		"From: <sip:b@192.0.2.7>;tag=b\r\nTo: <sip:a@192.0.2.1>\r\nCall-ID: " + callID + "\r\n" +
		"CSeq: 1 " + method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
}

// TestFrontDoorJudge: strangers' requests stop at the door but for INVITE, ACK and
// a request of one of our calls; responses pass.
func TestFrontDoorJudge(t *testing.T) {
	st := filterStack(Config{})
	st.calls["ours__a__b"] = &Call{}
	d := newDoor(st)
	stranger, home := netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		name string
		data []byte
		src  netip.Addr
		want verdict
	}{
		{"stranger OPTIONS", judgedRequest("OPTIONS", "x"), stranger, drop},
		{"stranger REGISTER", judgedRequest("REGISTER", "x"), stranger, drop},
		{"stranger INVITE, answered 403 at the door", judgedRequest("INVITE", "x"), stranger, refuse},
		{"stranger ACK of that 403", judgedRequest("ACK", "x"), stranger, drop},
		{"stranger re-INVITE of our call", judgedRequest("INVITE", "ours"), stranger, pass},
		{"stranger BYE of our call", judgedRequest("BYE", "ours"), stranger, pass},
		{"stranger BYE in compact form", []byte("BYE sip:a SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bK-c\r\n" +
			"f: <sip:b@192.0.2.7>;tag=b\r\nt: <sip:a@192.0.2.1>;tag=a\r\ni: ours\r\nCSeq: 2 BYE\r\n\r\n"), stranger, pass},
		{"stranger response", []byte("SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n"), stranger, pass},
		{"keep-alive", []byte("\r\n\r\n"), stranger, pass},
		{"home OPTIONS", judgedRequest("OPTIONS", "x"), home, pass},
		{"home, too large", append(judgedRequest("OPTIONS", "x"), make([]byte, maxRequest)...), home, tooBig},
		{"stranger INVITE, too large", append(judgedRequest("INVITE", "x"), make([]byte, maxRequest)...), stranger, drop},
	}
	for _, tt := range tests {
		if got := d.judge(tt.data, tt.src); got != tt.want {
			t.Errorf("%s: verdict %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestFrontDoorStrangersCannotStarveTheServer: strangers from many addresses empty
// the strangers' shared bucket, and the account's server, loopback and a stranger in
// one of our calls still get their own full bursts through. The clock stands still,
// so no bucket refills.
func TestFrontDoorStrangersCannotStarveTheServer(t *testing.T) {
	st := filterStack(Config{})
	st.sources.reset(Account{Server: "198.51.100.9"})
	st.calls["ours__a__b"] = &Call{}
	d := newDoor(st)
	now := time.Now()
	d.buckets = newBuckets(func() time.Time { return now })

	passed := 0
	for i := range 64 { // 64 addresses, each beyond its own burst
		src := netip.AddrFrom4([4]byte{203, 0, 113, byte(i)})
		for range strangerBurst + 10 {
			if d.judge(judgedRequest("INVITE", "flood"), src) == refuse { // answered 403, not dropped
				passed++
			}
		}
	}
	if passed != allStrangersBurst {
		t.Fatalf("%d of the strangers' INVITEs answered, want the strangers' burst of %d", passed, allStrangersBurst)
	}

	for _, tt := range []struct {
		name string
		src  netip.Addr
		data []byte
	}{
		{"the account's server", netip.MustParseAddr("198.51.100.9"), judgedRequest("OPTIONS", "x")},
		{"loopback", netip.MustParseAddr("127.0.0.1"), judgedRequest("OPTIONS", "x")},
		{"a stranger in one of our calls", netip.MustParseAddr("192.0.2.77"), judgedRequest("BYE", "ours")},
	} {
		for i := range admittedBurst {
			if got := d.judge(tt.data, tt.src); got != pass {
				t.Fatalf("%s, request %d after the strangers' flood: verdict %d, want it passed", tt.name, i, got)
			}
		}
		if got := d.judge(tt.data, tt.src); got != drop {
			t.Errorf("%s beyond its own burst: verdict %d, want it dropped", tt.name, got)
		}
	}
}

// TestQuietHandler: sipgo's line about a bad packet comes at warning level, at most
// logBurst times per interval, without the packet unless at debug level, and then
// cut to maxLogContent bytes.
func TestQuietHandler(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var out strings.Builder
		log := slog.New(newQuietHandler(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level})))
		packet := strings.Repeat("~", 30_000)
		for range 3 * logBurst {
			log.Error("failed to parse", "data", packet, "error", "bad")
		}
		text := out.String()
		if n := strings.Count(text, "failed to parse"); n != logBurst {
			t.Errorf("level %v: %d lines, want %d", level, n, logBurst)
		}
		if strings.Contains(text, "level=ERROR") || !strings.Contains(text, "level=WARN") {
			t.Errorf("level %v: want warnings, got %q", level, text[:min(len(text), 300)])
		}
		shown := strings.Count(text, "~")
		if level == slog.LevelInfo && shown != 0 || level == slog.LevelDebug && shown != logBurst*maxLogContent {
			t.Errorf("level %v: %d bytes of packets shown", level, shown)
		}
	}
}

// TestFrontDoorStrangersINVITEsKeepNothing: a scanner's large INVITEs are each
// answered 403 by the door itself, so none of them is kept in a transaction for the
// 32 s an INVITE's final answer waits for its ACK.
func TestFrontDoorStrangersINVITEsKeepNothing(t *testing.T) {
	st, _ := newWildcardStack(t, Config{})
	_, port, _ := net.SplitHostPort(st.UDPAddr())
	stranger := hostIP(t)
	c := udpFrom(t, stranger)
	to, _ := net.ResolveUDPAddr("udp", net.JoinHostPort(stranger, port))
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	before := heap()
	const sent = strangerBurst // all within the stranger's burst: each is answered
	body := strings.Repeat("v=0\r\n", 29_000/5)
	for i := range sent {
		req := strings.Replace(string(invite(c.LocalAddr(), i)), "Content-Length: 0\r\n\r\n",
			fmt.Sprintf("Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(body), body), 1)
		if _, err := c.WriteTo([]byte(req), to); err != nil {
			t.Fatal(err)
		}
		if res := answer(t, c, waitFor); res == nil || res.StatusCode != 403 {
			t.Fatalf("stranger's INVITE %d: answer %v, want 403", i, res)
		}
	}
	grown := int64(heap()) - int64(before)
	t.Logf("%d INVITEs of 29 KB answered 403, heap grew by %d KB", sent, grown/1024)
	if limit := int64(sent) * 8192; grown > limit {
		t.Fatalf("heap grew by %d KB for %d refused INVITEs, want under %d KB", grown/1024, sent, limit/1024)
	}
}

// TestConnCapLeavesRoomForTheServer: strangers from many addresses hold every
// connection strangers may, and the account's server still gets its own.
func TestConnCapLeavesRoomForTheServer(t *testing.T) {
	c := connCounter{per: map[netip.Addr]int{}}
	held := 0
	for i := range 2 * maxConns / maxConnsPerSource { // twice what the cap lets in
		src := netip.AddrFrom4([4]byte{203, 0, 113, byte(i)})
		for range maxConnsPerSource {
			if c.add(src, false) {
				held++
			}
		}
	}
	if held != maxConns {
		t.Fatalf("strangers hold %d connections, want the cap of %d", held, maxConns)
	}
	server := netip.MustParseAddr("198.51.100.9")
	for i := range maxConnsPerSource {
		if !c.add(server, true) {
			t.Fatalf("the server's connection %d refused while strangers hold the rest", i+1)
		}
	}
	if c.add(server, true) {
		t.Errorf("the server beyond its own cap of %d accepted", maxConnsPerSource)
	}
	c.remove(server, true)
	if !c.add(server, true) || c.add(netip.MustParseAddr("203.0.113.250"), false) {
		t.Errorf("after the server closed one: its next refused, or a stranger let in beyond the cap")
	}
}

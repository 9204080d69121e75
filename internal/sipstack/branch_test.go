package sipstack

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// rawPeer sends hand-written SIP over a UDP socket on loopback and reads what comes
// back, so a test can break the rules sipgo's own client keeps.
type rawPeer struct {
	t    *testing.T
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newRawPeer(t *testing.T, to string) *rawPeer {
	t.Helper()
	addr, err := net.ResolveUDPAddr("udp", to)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPeer{t: t, conn: conn, to: addr}
}

func (r *rawPeer) addr() string { return r.conn.LocalAddr().String() }

// send writes one request, its lines joined with CRLF and Content-Length added.
func (r *rawPeer) send(body string, lines ...string) {
	r.t.Helper()
	msg := strings.Join(lines, "\r\n") + fmt.Sprintf("\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	if _, err := r.conn.WriteToUDP([]byte(msg), r.to); err != nil {
		r.t.Fatal(err)
	}
}

// final reads responses until a final one, which it returns; nil when none comes
// within the wait.
func (r *rawPeer) final(wait time.Duration) *sip.Response {
	r.t.Helper()
	buf := make([]byte, 65535)
	_ = r.conn.SetReadDeadline(time.Now().Add(wait))
	for {
		n, _, err := r.conn.ReadFromUDP(buf)
		if err != nil {
			return nil
		}
		msg, err := sip.ParseMessage(buf[:n])
		if err != nil {
			r.t.Fatalf("unparsable answer %q: %v", buf[:n], err)
		}
		if res, ok := msg.(*sip.Response); ok && !res.IsProvisional() {
			return res
		}
	}
}

// A re-INVITE that reuses the branch of the call's first INVITE, answered 32 s ago at
// most, is a new request: it gets its 200, not the silence of a retransmission. Over
// TCP as over UDP.
func TestReInviteReusingTheFirstBranchIsAnswered(t *testing.T) {
	for _, transport := range []string{"UDP", "TCP"} {
		t.Run(transport, func(t *testing.T) { reInviteReusingTheFirstBranch(t, transport) })
	}
}

// sipConn is a hand-written SIP peer on one transport: rawPeer (UDP) or
// rawStreamPeer (TCP).
type sipConn interface {
	addr() string
	send(body string, lines ...string)
	final(wait time.Duration) *sip.Response
}

func reInviteReusingTheFirstBranch(t *testing.T, transport string) {
	st, rec := newTestStack(t, nil, nil)
	var r sipConn
	to := st.UDPAddr()
	if transport == "TCP" {
		to = st.TCPAddr()
		r = newRawStreamPeer(t, to)
	} else {
		r = newRawPeer(t, to)
	}
	uriTransport := "" // over UDP, the default
	if transport == "TCP" {
		uriTransport = ";transport=tcp"
	}
	const branch = "z9hG4bK-reused-1"
	dialog := func(method string, cseq int, toTag string) []string {
		toH := "To: <sip:alice@" + to + ">"
		if toTag != "" {
			toH += ";tag=" + toTag
		}
		return []string{
			fmt.Sprintf("%s sip:alice@%s%s SIP/2.0", method, to, uriTransport),
			"Via: SIP/2.0/" + transport + " " + r.addr() + ";branch=" + branch,
			"From: <sip:raw@" + r.addr() + ">;tag=raw1",
			toH,
			"Call-ID: reused-branch@test",
			fmt.Sprintf("CSeq: %d %s", cseq, method),
			"Contact: <sip:raw@" + r.addr() + uriTransport + ">",
			"Max-Forwards: 70",
			"Content-Type: application/sdp",
		}
	}
	r.send(string(testSDP(50000)), dialog("INVITE", 1, "")...)
	in := rec.incoming()
	if err := in.Call.Answer(testSDP(40000)); err != nil {
		t.Fatal(err)
	}
	ok := r.final(waitFor)
	if ok == nil || ok.StatusCode != 200 {
		t.Fatalf("INVITE answered %v", ok)
	}
	tag, _ := ok.To().Params.Get("tag")
	ack := dialog("ACK", 1, tag)
	ack[1] = "Via: SIP/2.0/" + transport + " " + r.addr() + ";branch=z9hG4bK-ack-1"
	r.send("", ack...)
	for deadline := time.Now().Add(waitFor); in.Call.getState() != stateEstablished; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stack never took the ACK")
		}
	}

	r.send(string(peerSDPDir(DirSendOnly, Codec{0, "PCMU", 8000})), dialog("INVITE", 2, tag)...)
	res := r.final(3 * time.Second)
	if res == nil {
		t.Fatal("the re-INVITE with a reused branch got no answer")
	}
	if res.StatusCode != 200 || res.CSeq().SeqNo != 2 {
		t.Fatalf("re-INVITE answered %d for CSeq %d, want 200 for 2", res.StatusCode, res.CSeq().SeqNo)
	}
	if ev := rec.call(); ev.Kind != Updated || !ev.RemoteHeld {
		t.Errorf("event %+v, want Updated with the peer holding", ev)
	}
}

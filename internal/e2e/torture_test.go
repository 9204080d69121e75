package e2e

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// TestTortureMessagesAtTheEngine sends a representative subset of the RFC 4475 and
// RFC 5118 messages (internal/sipstack tests them all against the stack) to the
// engine's binary over UDP and over TCP: each malformed one is answered with its
// code at the address it came from (on its connection) and rings nothing; a plain INVITE sent last is the first
// call the engine announces, which proves both that none before it rang and that
// the engine is alive after them. (The valid torture INVITEs offer media at
// addresses outside this machine, toward which a ringing call would punch, so the
// last INVITE is one of ours, on loopback.)
func TestTortureMessagesAtTheEngine(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	refused := []struct{ file, code string }{
		{"rfc4475/badvers.dat", "505"},
		{"rfc4475/unkscm.dat", "416"},
		{"rfc4475/mismatch01.dat", "400"},
		{"rfc4475/mcl01.dat", "400"},
		{"rfc4475/ncl.dat", "400"},     // an INVITE
		{"rfc4475/multi01.dat", "400"}, // an INVITE
		{"rfc4475/quotbal.dat", "400"}, // an INVITE
		{"rfc4475/lwsstart.dat", "400"},
		{"rfc5118/ipv6-bad.dat", "400"},
	}
	for _, r := range refused {
		for _, proto := range []string{"udp", "tcp"} {
			conn, err := net.Dial(proto, e.sipAddr())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Write(torture(t, r.file)); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 65535)
			n, err := conn.Read(buf)
			conn.Close() // the door takes 8 connections from one address
			if err != nil {
				t.Fatalf("%s over %s: no answer: %v", r.file, proto, err)
			}
			if got := string(buf[:n]); !strings.HasPrefix(got, "SIP/2.0 "+r.code+" ") {
				t.Fatalf("%s over %s: answer %q, want %s", r.file, proto, strings.SplitN(got, "\r\n", 2)[0], r.code)
			}
		}
	}

	conn, err := net.Dial("udp", e.sipAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(plainInvite(conn.LocalAddr().String())); err != nil {
		t.Fatal(err)
	}
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		var cs api.CallState
		json.Unmarshal(d, &cs)
		return cs.State == api.CallRinging
	}), &in)
	if in.SIPCallID != "torture-last" || in.Direction != api.DirIncoming {
		t.Fatalf("the first call announced is %+v, want the last INVITE's", in)
	}
	c.mustDo(api.CmdCallReject.Name, map[string]any{"callId": in.CallID}, nil)
}

// torture reads a torture message from the stack's test data.
func torture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "sipstack", "testdata", "torture", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plainInvite is a well-formed INVITE from the UDP socket at from, offering PCMU on
// loopback.
func plainInvite(from string) []byte {
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	return []byte("INVITE sip:alice@127.0.0.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + from + ";branch=z9hG4bK-torture-last;rport\r\n" +
		"From: <sip:last@127.0.0.1>;tag=last\r\nTo: <sip:alice@127.0.0.1>\r\n" +
		"Call-ID: torture-last\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" +
		"Contact: <sip:last@" + from + ">\r\nContent-Type: application/sdp\r\n" +
		"Content-Length: " + strconv.Itoa(len(sdp)) + "\r\n\r\n" + sdp)
}

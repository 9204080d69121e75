package sipstack

import (
	"fmt"
	"strings"
	"testing"
)

// TestRFC2543CallerHangsUp: a caller of RFC 2543 sends no From tag, no branch and
// no Contact. Its call rings and is answered, and its BYE, still without a From
// tag, ends the call: the dialog is matched by the Call-ID and our tag, the
// caller's tag being null (RFC 3261 section 12.2.2, and its section 12 on RFC
// 2543 compatibility).
func TestRFC2543CallerHangsUp(t *testing.T) {
	for _, proto := range []string{"udp", "tcp"} {
		t.Run(proto, func(t *testing.T) {
			st, rec := newTestStack(t, nil, nil)
			c := newDoorClient(t, st, proto)
			request := func(method string, cseq int, to, body string) []byte {
				ctype := ""
				if body != "" {
					ctype = "Content-Type: application/sdp\r\n"
				}
				return []byte(fmt.Sprintf("%s sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/%s %s\r\n"+
					"From: <sip:+13035551111@127.0.0.1;user=phone>\r\nTo: %s\r\n"+
					"Call-ID: rfc2543-%s@127.0.0.1\r\nCSeq: %d %s\r\n%sContent-Length: %d\r\n\r\n%s",
					method, strings.ToUpper(proto), c.localAddr(), to, proto, cseq, method, ctype, len(body), body))
			}

			c.send(t, st, request("INVITE", 56, "sip:alice@127.0.0.1", string(testSDP(4000))))
			in := rec.incoming()
			if err := in.Call.Answer(testSDP(4002)); err != nil {
				t.Fatal(err)
			}
			res := c.next(t)
			for res.IsProvisional() {
				res = c.next(t)
			}
			if res.StatusCode != 200 {
				t.Fatalf("INVITE answered %d, want 200", res.StatusCode)
			}
			if res.From().Params.Has("tag") {
				t.Fatalf("the answer's From %q has a tag the caller did not send", res.From().Value())
			}
			to := res.To().Value()

			c.send(t, st, request("ACK", 56, to, ""))
			c.send(t, st, request("BYE", 57, to, ""))
			if res := c.next(t); res.StatusCode != 200 || res.CSeq().MethodName != "BYE" {
				t.Fatalf("BYE answered %d %s to %s, want 200", res.StatusCode, res.Reason, res.CSeq().MethodName)
			}
			for {
				ev := rec.call()
				if ev.Kind == RemoteBye {
					break
				}
			}
		})
	}
}

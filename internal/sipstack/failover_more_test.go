package sipstack

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// A MESSAGE, a SUBSCRIBE and a PUBLISH to the account's server found through
// DNS go on to the next SRV target when the first, which took the registration,
// has since stopped answering (RFC 3263 section 4.3): each is sent again, in a
// new transaction, to the second target, which answers it.
func TestOutOfDialogRequestsMoveToTheNextSRVTarget(t *testing.T) {
	t.Run("MESSAGE", func(t *testing.T) {
		next := newPeer(t)
		st, dead := registeredAtDeadTarget(t, next.addr.Port)
		acc, _ := st.account()
		target, err := ParseTarget("bob", acc)
		if err != nil {
			t.Fatal(err)
		}
		res, err := st.SendMessage(context.Background(), target, "hello")
		if err != nil || res.Code != 200 {
			t.Fatalf("SendMessage: %+v, %v; want 200 from the second target", res, err)
		}
		first := dead.expect(t, sip.MESSAGE)
		again := next.expect(sip.MESSAGE)
		sameRequestAgain(t, first, again)
	})
	t.Run("SUBSCRIBE", func(t *testing.T) {
		n := newNotifier(t, func(n *notifier, req *sip.Request) *sip.Response { return n.ok(req, 600) })
		st, dead := registeredAtDeadTarget(t, n.conn.LocalAddr().(*net.UDPAddr).Port)
		if _, err := st.Subscribe(SubscribeOptions{Target: "bob", Event: "presence", Expires: 600}); err != nil {
			t.Fatal(err)
		}
		first := dead.expect(t, sip.SUBSCRIBE)
		sameRequestAgain(t, first, n.expectSubscribe())
	})
	t.Run("PUBLISH", func(t *testing.T) {
		ps := &presenceServer{etags: map[string]bool{}}
		n := newNotifier(t, ps.answer)
		st, dead := registeredAtDeadTarget(t, n.conn.LocalAddr().(*net.UDPAddr).Port)
		if _, err := st.Publish(PublishOptions{Event: "presence", ContentType: "application/pidf+xml", Body: []byte("<open/>")}); err != nil {
			t.Fatal(err)
		}
		first := dead.expect(t, sip.PUBLISH)
		sameRequestAgain(t, first, n.expectSubscribe())
	})
}

// sameRequestAgain fails unless again is first sent anew: its Call-ID and
// CSeq, another branch.
func sameRequestAgain(t *testing.T, first, again *sip.Request) {
	t.Helper()
	if again.Method != first.Method || again.CallID().Value() != first.CallID().Value() || again.CSeq().SeqNo != first.CSeq().SeqNo {
		t.Errorf("the next target got %s Call-ID %s CSeq %d, want the first's %s %s %d", again.Method,
			again.CallID().Value(), again.CSeq().SeqNo, first.Method, first.CallID().Value(), first.CSeq().SeqNo)
	}
	b1, _ := first.Via().Params.Get("branch")
	if b2, _ := again.Via().Params.Get("branch"); b1 == b2 {
		t.Errorf("%s went again with the same branch %s, want a new transaction", first.Method, b1)
	}
}

// registeredAtDeadTarget is a stack whose account's server, found through
// dnsmasq, has two SRV targets: the first took its registration and answers
// nothing since; the second listens on 127.0.0.1 at nextPort.
func registeredAtDeadTarget(t *testing.T, nextPort int) (*Stack, *silentServer) {
	t.Helper()
	dead := newSilentServer(t)
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "dead." + dnsDomain, Records: []string{
		"host-record=dead." + dnsDomain + ",127.0.0.1",
		"host-record=next." + dnsDomain + ",127.0.0.1",
		fmt.Sprintf("srv-host=_sip._udp.%s,dead.%s,%d,10,0", dnsDomain, dnsDomain, dead.port()),
		fmt.Sprintf("srv-host=_sip._udp.%s,next.%s,%d,20,0", dnsDomain, dnsDomain, nextPort),
	}})
	st, rec := dnsStack(t, dns.Addr, nil)
	if err := st.SetAccount(Account{Server: dnsDomain, Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	rec.reg() // registering
	if ev := rec.reg(); ev.State != RegRegistered {
		t.Fatalf("%+v, want registered at the first SRV target", ev)
	}
	dead.expect(t, sip.REGISTER)
	return st, dead
}

// silentServer answers the first REGISTER it gets, and nothing after it: a
// server that died once it took our registration. It keeps every request.
type silentServer struct {
	conn *net.UDPConn
	reqs chan *sip.Request
}

func newSilentServer(t *testing.T) *silentServer {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{conn: conn, reqs: make(chan *sip.Request, 16)}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		registered := false
		buf := make([]byte, 65535)
		for {
			k, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			req, ok := parsedRequest(buf[:k])
			if !ok {
				continue
			}
			s.reqs <- req
			if req.Method == sip.REGISTER && !registered {
				registered = true
				res := sip.NewResponseFromRequest(req, 200, "OK", nil)
				ct := req.Contact().Clone()
				ct.Params = sip.NewParams()
				ct.Params.Add("expires", "3600")
				res.AppendHeader(ct)
				_, _ = conn.WriteToUDP([]byte(res.String()), from)
			}
		}
	}()
	return s
}

func (s *silentServer) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// expect returns the next request of method, past retransmissions and others.
func (s *silentServer) expect(t *testing.T, method sip.RequestMethod) *sip.Request {
	t.Helper()
	for {
		select {
		case r := <-s.reqs:
			if r.Method == method {
				return r
			}
		case <-time.After(waitFor):
			t.Fatalf("the silent server got no %s", method)
			return nil
		}
	}
}

// parsedRequest is data as a SIP request, if it is one.
func parsedRequest(data []byte) (*sip.Request, bool) {
	msg, err := sip.ParseMessage(append([]byte(nil), data...))
	if err != nil {
		return nil, false
	}
	req, ok := msg.(*sip.Request)
	return req, ok
}

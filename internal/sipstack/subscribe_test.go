package sipstack

import (
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// notifier is a scripted event server on a bare UDP socket: answer makes the
// response to each SUBSCRIBE or PUBLISH (nil: none), and notify sends a NOTIFY in
// the dialog of a SUBSCRIBE it received.
type notifier struct {
	t      *testing.T
	conn   *net.UDPConn
	subs   chan *sip.Request
	resps  chan *sip.Response // answers to its NOTIFYs
	answer func(n *notifier, req *sip.Request) *sip.Response
	tag    string
	cseq   int
}

func newNotifier(t *testing.T, answer func(n *notifier, req *sip.Request) *sip.Response) *notifier {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	n := &notifier{t: t, conn: conn, subs: make(chan *sip.Request, 16), resps: make(chan *sip.Response, 16),
		answer: answer, tag: newTag()}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			k, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			msg, err := sip.ParseMessage(append([]byte(nil), buf[:k]...))
			if err != nil {
				continue
			}
			switch m := msg.(type) {
			case *sip.Response:
				n.resps <- m
			case *sip.Request:
				if m.Method != sip.SUBSCRIBE && m.Method != sip.PUBLISH {
					continue
				}
				n.subs <- m
				if res := n.answer(n, m); res != nil {
					_, _ = conn.WriteToUDP([]byte(res.String()), from)
				}
			}
		}
	}()
	return n
}

func (n *notifier) hostPort() string { return n.conn.LocalAddr().String() }

// contact is the notifier's Contact URI.
func (n *notifier) contact() sip.Uri {
	a := n.conn.LocalAddr().(*net.UDPAddr)
	return sip.Uri{Scheme: "sip", User: "notifier", Host: "127.0.0.1", Port: a.Port}
}

// ok is a 200 to a SUBSCRIBE granting expires seconds, in the notifier's dialog.
func (n *notifier) ok(req *sip.Request, expires int) *sip.Response {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	if _, tagged := req.To().Params.Get("tag"); !tagged {
		res.To().Params.Remove("tag") // sipgo makes one up
		res.To().Params.Add("tag", n.tag)
	}
	res.AppendHeader(&sip.ContactHeader{Address: n.contact()})
	res.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	return res
}

// expectSubscribe returns the next SUBSCRIBE.
func (n *notifier) expectSubscribe() *sip.Request {
	n.t.Helper()
	select {
	case r := <-n.subs:
		return r
	case <-time.After(waitFor):
		n.t.Fatal("notifier: no SUBSCRIBE")
		return nil
	}
}

// noSubscribe fails on a SUBSCRIBE within d.
func (n *notifier) noSubscribe(d time.Duration) {
	n.t.Helper()
	select {
	case r := <-n.subs:
		n.t.Fatalf("unexpected SUBSCRIBE:\n%s", r)
	case <-time.After(d):
	}
}

// notify sends a NOTIFY in the dialog of sub (a SUBSCRIBE the notifier received)
// to the stack at to, and returns the stack's answer.
func (n *notifier) notify(sub *sip.Request, to string, event, state, ctype, body string) *sip.Response {
	n.t.Helper()
	n.cseq++
	target := sub.Contact().Address
	req := sip.NewRequest(sip.NOTIFY, target)
	a := n.conn.LocalAddr().(*net.UDPAddr)
	req.AppendHeader(sip.NewHeader("Via", fmt.Sprintf("SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s", a.Port, newTag())))
	from := &sip.FromHeader{Address: sub.To().Address, Params: sip.NewParams()}
	from.Params.Add("tag", n.tag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sub.From().Address, Params: sub.From().Params.Clone()})
	callID := sip.CallIDHeader(sub.CallID().Value())
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: uint32(n.cseq), MethodName: sip.NOTIFY})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	req.AppendHeader(&sip.ContactHeader{Address: n.contact()})
	if event != "" {
		req.AppendHeader(sip.NewHeader("Event", event))
	}
	if state != "" {
		req.AppendHeader(sip.NewHeader("Subscription-State", state))
	}
	if ctype != "" {
		req.AppendHeader(sip.NewHeader("Content-Type", ctype))
	}
	req.SetBody([]byte(body))
	dst, _ := net.ResolveUDPAddr("udp", to)
	if _, err := n.conn.WriteToUDP([]byte(req.String()), dst); err != nil {
		n.t.Fatal(err)
	}
	select {
	case res := <-n.resps:
		return res
	case <-time.After(waitFor):
		n.t.Fatal("notifier: NOTIFY not answered")
		return nil
	}
}

// subEvent returns the next event, which must be a SubState or Notified.
func subEvent[T SubState | Notified](t *testing.T, rec *recorder) T {
	t.Helper()
	ev := rec.next()
	got, ok := ev.(T)
	if !ok {
		t.Fatalf("event %#v, want a %T", ev, got)
	}
	return got
}

const mwiBody = "Messages-Waiting: yes\r\nMessage-Account: sip:alice@127.0.0.1\r\nVoice-Message: 2/8 (0/2)\r\n"

// subscribed starts a message-summary subscription of alice's that the notifier
// accepts for 600 s, and returns the SUBSCRIBE and the refresh timer.
func subscribed(t *testing.T, answer func(n *notifier, req *sip.Request) *sip.Response) (*Stack, *recorder, *notifier, *fakeClock, *Subscription) {
	t.Helper()
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	n := newNotifier(t, answer)
	if err := st.SetAccount(Account{Server: n.hostPort(), Username: "alice", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	sub, err := st.Subscribe(SubscribeOptions{Target: "sip:alice@" + n.hostPort(), Event: "message-summary",
		Accept: "application/simple-message-summary", Expires: 600})
	if err != nil {
		t.Fatal(err)
	}
	return st, rec, n, clock, sub
}

// TestSubscribeAuthenticatesRefreshesAndReportsNotifies: the first SUBSCRIBE is
// challenged and sent again with credentials; the 200's expiry sets the refresh
// timer; a NOTIFY is answered 200 and its document reported; the refresh goes in
// the dialog (same Call-ID, the notifier's tag, its Contact as Request-URI).
func TestSubscribeAuthenticatesRefreshesAndReportsNotifies(t *testing.T) {
	st, rec, n, clock, _ := subscribed(t, func(_ *notifier, req *sip.Request) *sip.Response {
		if req.GetHeader("Authorization") == nil {
			res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
			res.AppendHeader(sip.NewHeader("WWW-Authenticate", `Digest realm="test", nonce="n0nce", algorithm=MD5`))
			return res
		}
		return nil // answered by the test
	})
	first := n.expectSubscribe()
	if first.GetHeader("Authorization") != nil {
		t.Fatal("first SUBSCRIBE carries credentials before any challenge")
	}
	for name, want := range map[string]string{"Event": "message-summary", "Accept": "application/simple-message-summary", "Expires": "600"} {
		if h := first.GetHeader(name); h == nil || h.Value() != want {
			t.Errorf("SUBSCRIBE %s = %v, want %q", name, h, want)
		}
	}
	authed := n.expectSubscribe()
	if authed.GetHeader("Authorization") == nil || authed.CallID().Value() != first.CallID().Value() {
		t.Fatalf("second SUBSCRIBE is not the first with credentials:\n%s", authed)
	}
	_, _ = n.conn.WriteToUDP([]byte(n.ok(authed, 300).String()), mustUDP(t, st.UDPAddr()))
	active := subEvent[SubState](t, rec)
	if active.State != SubActive || active.Expires != 300 {
		t.Fatalf("state %+v, want active for 300 s", active)
	}
	timer := clock.next(t)
	if timer.d != refreshAfter(300) || timer.d >= 300*time.Second {
		t.Fatalf("refresh after %v, want %v", timer.d, refreshAfter(300))
	}

	res := n.notify(authed, st.UDPAddr(), "message-summary", "active;expires=300", "application/simple-message-summary", mwiBody)
	if res.StatusCode != 200 {
		t.Fatalf("NOTIFY answered %d", res.StatusCode)
	}
	got := subEvent[Notified](t, rec)
	if got.Event != "message-summary" || string(got.Body) != mwiBody || got.State != "active" || got.ID == "" {
		t.Fatalf("notified %+v", got)
	}

	timer.fire <- time.Now()
	refresh := n.expectSubscribe()
	tag, _ := refresh.To().Params.Get("tag")
	if refresh.CallID().Value() != first.CallID().Value() || tag != n.tag || refresh.Recipient.User != "notifier" ||
		refresh.CSeq().SeqNo <= authed.CSeq().SeqNo {
		t.Fatalf("refresh is not in the dialog:\n%s", refresh)
	}
}

func mustUDP(t *testing.T, hostPort string) *net.UDPAddr {
	t.Helper()
	a, err := net.ResolveUDPAddr("udp", hostPort)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSubscribe481StartsANewDialogAfterABackoff: a refresh answered 481 (the
// notifier forgot us) is followed, after a backoff, by a SUBSCRIBE in a new dialog.
func TestSubscribe481StartsANewDialogAfterABackoff(t *testing.T) {
	_, rec, n, clock, _ := subscribed(t, func(n *notifier, req *sip.Request) *sip.Response {
		if _, inDialog := req.To().Params.Get("tag"); inDialog {
			return sip.NewResponseFromRequest(req, 481, "Subscription Does Not Exist", nil)
		}
		return n.ok(req, 600)
	})
	first := n.expectSubscribe()
	_ = subEvent[SubState](t, rec)
	clock.next(t).fire <- time.Now()
	if refresh := n.expectSubscribe(); refresh.CallID().Value() != first.CallID().Value() {
		t.Fatalf("the refresh is not in the first dialog:\n%s", refresh)
	}
	retry := subEvent[SubState](t, rec)
	if retry.State != SubRetrying || retry.Retry < subBackoffFirst/2 || retry.Retry > subBackoffFirst {
		t.Fatalf("after the failed refresh: %+v", retry)
	}
	timer := clock.next(t)
	if timer.d != retry.Retry {
		t.Fatalf("retry timer %v, event says %v", timer.d, retry.Retry)
	}
	timer.fire <- time.Now()
	again := n.expectSubscribe()
	if _, tagged := again.To().Params.Get("tag"); tagged || again.CallID().Value() == first.CallID().Value() {
		t.Fatalf("the SUBSCRIBE after the failure is not a new dialog:\n%s", again)
	}
}

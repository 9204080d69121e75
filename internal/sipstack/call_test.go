package sipstack

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

func dialPeer(t *testing.T, st *Stack, p *peer, acc Account) *Call {
	t.Helper()
	if err := st.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	headers, err := ParseHeaders(map[string]string{"X-Line": "1", "X-CRM-Id": "42"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Dial(DialOptions{Target: target, SDP: testSDP(40000), Headers: headers})
	if err != nil {
		t.Fatal(err)
	}
	if c.CallID() == "" {
		t.Fatal("no Call-ID")
	}
	return c
}

func expectCall(t *testing.T, rec *recorder, c *Call, kind CallEventKind, code int) CallEvent {
	t.Helper()
	ev := rec.call()
	if ev.CallID != c.CallID() || ev.Kind != kind || (code != 0 && ev.Code != code) {
		t.Fatalf("event %+v, want %v %d for %s", ev, kind, code, c.CallID())
	}
	return ev
}

func TestOutgoingAnsweredLocalBye(t *testing.T) {
	p := newPeer(t)
	peerSDP := testSDP(50000)
	step := make(chan struct{})
	p.set(func(p *peer) { p.password, p.challenge, p.onInvite = "secret", 407, answerWith(peerSDP, true, step) })
	st, rec := newTestStack(t, nil, nil)
	const display = `Al "the" \ <Boss>; ?x=1`
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice", Password: "secret", DisplayName: display})

	inv := p.expect(sip.INVITE)
	checkLocalAddressing(t, st, inv)
	if inv.CallID().Value() != c.CallID() {
		t.Fatalf("INVITE Call-ID %s, call says %s", inv.CallID().Value(), c.CallID())
	}
	for name, want := range map[string]string{"X-Line": "1", "X-CRM-Id": "42"} {
		if h := inv.GetHeader(name); h == nil || h.Value() != want {
			t.Errorf("INVITE header %s = %v, want %q:\n%s", name, h, want, inv)
		}
	}
	// The display name is a quoted-string: quote and backslash are quoted-pairs and
	// the <, >, ; and ? inside change neither the address nor the tag.
	wantFrom := `From: "Al \"the\" \\ <Boss>; ?x=1" <sip:alice@`
	if !strings.Contains(inv.String(), wantFrom) {
		t.Errorf("INVITE lacks %s:\n%s", wantFrom, inv)
	}
	from := inv.From()
	if tag, _ := from.Params.Get("tag"); from.Address.User != "alice" || from.Address.Host != "127.0.0.1" || tag == "" {
		t.Errorf("From parsed as user %q host %q tag %q", from.Address.User, from.Address.Host, tag)
	}
	if got := unescapeDisplayName(from.DisplayName); got != display {
		t.Errorf("peer reads display name %q, want %q", got, display)
	}
	if p.expect(sip.INVITE).GetHeader("Proxy-Authorization") == nil {
		t.Fatal("second INVITE lacks Proxy-Authorization")
	}
	ev := expectCall(t, rec, c, Provisional, 183)
	if !bytes.Equal(ev.SDP, peerSDP) {
		t.Errorf("early SDP %q", ev.SDP)
	}
	step <- struct{}{}
	expectCall(t, rec, c, Provisional, 180)
	step <- struct{}{}
	if ev := expectCall(t, rec, c, Answered, 200); !bytes.Equal(ev.SDP, peerSDP) {
		t.Errorf("answer SDP %q", ev.SDP)
	}
	ack := p.expect(sip.ACK)
	if ack.Route() == nil {
		t.Error("ACK does not follow the Record-Route")
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	bye := p.expect(sip.BYE)
	if bye.Route() == nil || bye.Recipient.User != "peer" {
		t.Errorf("BYE must go to the remote Contact through the route set:\n%s", bye)
	}
	expectCall(t, rec, c, Ended, 0)
	if err := c.Hangup(ctx); !errors.Is(err, ErrCallEnded) {
		t.Fatalf("second Hangup: %v, want ErrCallEnded", err)
	}
}

func TestOutgoingAnsweredRemoteBye(t *testing.T) {
	p := newPeer(t)
	step := make(chan struct{})
	p.set(func(p *peer) { p.onInvite = answerWith(testSDP(50000), true, step) })
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectCall(t, rec, c, Provisional, 183)
	step <- struct{}{}
	expectCall(t, rec, c, Provisional, 180)
	step <- struct{}{}
	expectCall(t, rec, c, Answered, 200)
	p.expect(sip.ACK)

	inv := p.uasLast(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := inv.Bye(ctx); err != nil {
		t.Fatalf("peer BYE: %v", err)
	}
	expectCall(t, rec, c, RemoteBye, 0)
}

func TestOutgoingCancelBeforeAnswer(t *testing.T) {
	p := newPeer(t)
	step := make(chan struct{})
	p.set(func(p *peer) { p.onInvite = answerWith(testSDP(50000), false, step) })
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectCall(t, rec, c, Provisional, 183)
	step <- struct{}{}
	expectCall(t, rec, c, Provisional, 180)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	expectCall(t, rec, c, Ended, 487)
	if d := p.uasLast(t); d.Context().Err() == nil {
		t.Fatal("peer's INVITE was not cancelled")
	}
}

func TestOutgoingRejected(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 486, "Busy Here", nil))
		}
	})
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	if ev := expectCall(t, rec, c, Failed, 486); ev.Reason != "Busy Here" {
		t.Fatalf("reason %q", ev.Reason)
	}
}

func TestDialRejectsBadInput(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	if _, err := st.Dial(DialOptions{Target: "sip:bob@127.0.0.1\r\nX: y"}); !errors.Is(err, ErrBadTarget) {
		t.Fatalf("injected target: %v", err)
	}
	tooMany := make([]Header, MaxHeaders+1)
	for i := range tooMany {
		tooMany[i] = Header{Name: "X-H" + string(rune('a'+i)), Value: "v"}
	}
	for _, hs := range [][]Header{
		{{"Via", "x"}}, {{"X-Ok", "a\r\nVia: x"}}, {{"Bad Name", "x"}}, {{"i", "x"}},
		{{"X-Id", "1"}, {"x-id", "2"}}, tooMany,
	} {
		if _, err := st.Dial(DialOptions{Target: "sip:bob@127.0.0.1", Headers: hs}); !errors.Is(err, ErrBadHeader) {
			t.Errorf("headers %q: %v, want ErrBadHeader", hs, err)
		}
	}
	for _, name := range []string{"Alice\r\nVia: x", "Alice\x00", "\x1b[2J"} {
		err := st.SetAccount(Account{Server: "127.0.0.1", Username: "alice", DisplayName: name})
		if !errors.Is(err, ErrBadAccount) {
			t.Errorf("display name %q: %v, want ErrBadAccount", name, err)
		}
	}
}

// uasLast returns the peer's most recent UAS dialog.
func (p *peer) uasLast(t *testing.T) *sipgo.DialogServerSession {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastUAS == nil {
		t.Fatal("peer has no UAS dialog")
	}
	return p.lastUAS
}

func TestIncomingRingAnswerRemoteBye(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	offer := testSDP(50000)
	sess, err := p.dial(ctx, st, offer)
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if in.FromUser != "peer" || in.FromName != `Peer "P"` || !bytes.Equal(in.SDP, offer) {
		t.Fatalf("Incoming %+v", in)
	}
	if !in.Call.Incoming() || in.Call.CallID() != sess.InviteRequest.CallID().Value() {
		t.Fatal("Incoming call identity wrong")
	}
	if err := in.Call.Ring(); err != nil {
		t.Fatal(err)
	}
	answer := testSDP(40000)
	var codes []int
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		codes = append(codes, r.StatusCode)
		if r.StatusCode == 180 {
			// Answer only once the peer saw the ringing: sipgo may reorder
			// responses that follow each other closely.
			return in.Call.Answer(answer)
		}
		return nil
	}})
	if err != nil {
		t.Fatalf("peer WaitAnswer: %v", err)
	}
	if !slices.Contains(codes, 180) || codes[len(codes)-1] != 200 {
		t.Fatalf("peer saw %v, want 180 and then 200 last", codes)
	}
	if !bytes.Equal(sess.InviteResponse.Body(), answer) {
		t.Fatal("answer SDP differs")
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	if err := in.Call.Ring(); !errors.Is(err, ErrCallState) {
		t.Fatalf("Ring after answer: %v", err)
	}
	if err := sess.Bye(ctx); err != nil {
		t.Fatalf("peer BYE: %v", err)
	}
	expectCall(t, rec, in.Call, RemoteBye, 0)
}

func TestIncomingAnswerLocalBye(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dial(ctx, st, testSDP(50000))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Answer(testSDP(40000)); err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	if err := in.Call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	p.expect(sip.BYE)
	expectCall(t, rec, in.Call, Ended, 0)
}

func TestIncomingCallerCancel(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dial(ctx, st, testSDP(50000))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Ring(); err != nil {
		t.Fatal(err)
	}
	waitCtx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		errc <- sess.WaitAnswer(waitCtx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
			if r.StatusCode == 180 {
				stop() // hang up while it rings: CANCEL
			}
			return nil
		}})
	}()
	expectCall(t, rec, in.Call, RemoteCancel, 487)
	select {
	case <-errc:
	case <-time.After(waitFor):
		t.Fatal("peer WaitAnswer did not return")
	}
	if sess.InviteResponse.StatusCode != 487 {
		t.Fatalf("peer got %d, want 487", sess.InviteResponse.StatusCode)
	}
	if err := in.Call.Answer(testSDP(40000)); !errors.Is(err, ErrCallEnded) {
		t.Fatalf("Answer after cancel: %v, want ErrCallEnded", err)
	}
}

func TestIncomingReject(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, err := p.dial(ctx, st, testSDP(50000))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Reject(486, "Busy Here"); err != nil {
		t.Fatal(err)
	}
	var resErr *sipgo.ErrDialogResponse
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); !errors.As(err, &resErr) || resErr.Res.StatusCode != 486 {
		t.Fatalf("peer WaitAnswer: %v, want 486", err)
	}
	expectCall(t, rec, in.Call, Ended, 486)
}

func TestOptions(t *testing.T) {
	p := newPeer(t)
	st, _ := newTestStack(t, nil, nil)
	host, port, _ := splitHostPort(st.UDPAddr())
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: host, Port: port})
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	res, err := p.cli.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.GetHeader("Allow") == nil || res.GetHeader("Accept").Value() != "application/sdp" {
		t.Fatalf("OPTIONS answer:\n%s", res)
	}
	bye := sip.NewRequest(sip.BYE, sip.Uri{Scheme: "sip", Host: host, Port: port})
	res, err = p.cli.Do(ctx, bye)
	if err != nil || res.StatusCode != 481 {
		t.Fatalf("BYE outside a dialog: %v %v, want 481", res, err)
	}
}

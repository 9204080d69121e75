package sipstack

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// peerNotify sends a NOTIFY of the refer event package in the peer's dialog.
func peerNotify(t *testing.T, ctx context.Context, sess *sipgo.DialogClientSession, event, state, frag string) *sip.Response {
	t.Helper()
	req := sip.NewRequest(sip.NOTIFY, *sess.InviteResponse.Contact().Address.Clone())
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(frag))
	res, err := sess.Do(ctx, req)
	if err != nil {
		t.Fatalf("peer NOTIFY: %v", err)
	}
	return res
}

// Our REFER carries the target in Refer-To and our address in Referred-By; the
// peer's 202 is success, its refusal a *StatusError. Its NOTIFYs are answered 200
// and reported as TransferProgress with the sipfrag's status, Final on the one that
// ends the subscription; a NOTIFY of another package gets 489, one without a status
// line 400, and one after the call 481.
func TestReferAndItsNotifies(t *testing.T) {
	p := newPeer(t)
	refers := make(chan *sip.Request, 2)
	answer := make(chan int, 2)
	p.srv.OnRefer(func(req *sip.Request, tx sip.ServerTransaction) {
		refers <- req
		_ = tx.Respond(sip.NewResponseFromRequest(req, <-answer, "", nil))
	})
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)

	answer <- 202
	if err := c.Refer(ctx, "sip:carol@example.com"); err != nil {
		t.Fatalf("REFER: %v", err)
	}
	req := <-refers
	if got := req.GetHeader("Refer-To"); got == nil || got.Value() != "<sip:carol@example.com>" {
		t.Errorf("Refer-To %v", got)
	}
	if got := req.GetHeader("Referred-By"); got == nil || got.Value() == "" {
		t.Error("no Referred-By")
	}
	answer <- 603
	var status *StatusError
	if err := c.Refer(ctx, "sip:carol@example.com"); !errors.As(err, &status) || status.Code != 603 {
		t.Errorf("refused REFER: %v, want 603", err)
	}
	<-refers
	if err := c.Refer(ctx, "sip:bad target"); !errors.Is(err, ErrBadTarget) {
		t.Errorf("REFER to a bad target: %v", err)
	}

	if res := peerNotify(t, ctx, sess, "refer", "active;expires=60", "SIP/2.0 180 Ringing\r\n"); res.StatusCode != 200 {
		t.Errorf("NOTIFY 180 answered %d", res.StatusCode)
	}
	if ev := expectCall(t, rec, c, TransferProgress, 180); ev.Reason != "Ringing" || ev.Final {
		t.Errorf("progress %+v", ev)
	}
	if res := peerNotify(t, ctx, sess, "presence", "active", "SIP/2.0 180 Ringing\r\n"); res.StatusCode != 489 {
		t.Errorf("NOTIFY of presence answered %d, want 489", res.StatusCode)
	}
	if res := peerNotify(t, ctx, sess, "refer", "active", "hello"); res.StatusCode != 400 {
		t.Errorf("NOTIFY without a status line answered %d, want 400", res.StatusCode)
	}
	if res := peerNotify(t, ctx, sess, "refer;id=7", "terminated;reason=noresource", "SIP/2.0 200 OK\r\n"); res.StatusCode != 200 {
		t.Errorf("NOTIFY 200 answered %d", res.StatusCode)
	}
	if ev := expectCall(t, rec, c, TransferProgress, 200); !ev.Final {
		t.Errorf("final progress %+v", ev)
	}
	noEvent(t, rec)

	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	expectCall(t, rec, c, Ended, 0)
	if res := peerNotify(t, ctx, sess, "refer", "terminated", "SIP/2.0 200 OK\r\n"); res.StatusCode != 481 {
		t.Errorf("NOTIFY after the BYE answered %d, want 481", res.StatusCode)
	}
	if err := c.Refer(ctx, "sip:carol@example.com"); !errors.Is(err, ErrCallEnded) {
		t.Errorf("REFER after the BYE: %v", err)
	}
}

func TestParseSipfrag(t *testing.T) {
	for _, tc := range []struct {
		body   string
		code   int
		reason string
		ok     bool
	}{
		{"SIP/2.0 100 Trying\r\n", 100, "Trying", true},
		{"SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n", 486, "Busy Here", true},
		{"sip/2.0 200 OK", 200, "OK", true},
		{"SIP/2.0 200", 200, "", true},
		{"SIP/2.0 99 Low", 0, "", false},
		{"SIP/2.0 abc OK", 0, "", false},
		{"INVITE sip:a@b SIP/2.0", 0, "", false},
		{"", 0, "", false},
	} {
		code, reason, ok := parseSipfrag([]byte(tc.body))
		if code != tc.code || reason != tc.reason || ok != tc.ok {
			t.Errorf("parseSipfrag(%q) = %d %q %v", tc.body, code, reason, ok)
		}
	}
}

// An attended transfer's Refer-To names the other call's peer with the Replaces of
// that call's dialog as the peer sees it: to-tag its tag, from-tag ours (RFC 3891
// section 3); Refer takes it, and no other embedded header.
func TestReplacingTargetNamesTheDialog(t *testing.T) {
	p := newPeer(t)
	refers := make(chan *sip.Request, 1)
	p.srv.OnRefer(func(req *sip.Request, tx sip.ServerTransaction) {
		refers <- req
		_ = tx.Respond(sip.NewResponseFromRequest(req, 202, "Accepted", nil))
	})
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)

	target, err := c.ReplacingTarget()
	if err != nil {
		t.Fatal(err)
	}
	peerTag, _ := sess.InviteRequest.From().Params.Get("tag")
	ourTag, _ := sess.InviteResponse.To().Params.Get("tag")
	replaces := url.QueryEscape(c.CallID() + ";to-tag=" + peerTag + ";from-tag=" + ourTag)
	if want := "sip:" + sess.InviteRequest.From().Address.User + "@" + sess.InviteRequest.From().Address.Host; !strings.HasPrefix(target, want+"?Replaces="+replaces) {
		t.Errorf("ReplacingTarget %q, want %s?Replaces=%s", target, want, replaces)
	}
	if err := c.Refer(ctx, target); err != nil {
		t.Fatal(err)
	}
	if got := (<-refers).GetHeader("Refer-To").Value(); got != "<"+target+">" {
		t.Errorf("Refer-To %s, want <%s>", got, target)
	}
	if err := c.Refer(ctx, "sip:carol@example.com?Subject=hi"); !errors.Is(err, ErrBadTarget) {
		t.Errorf("REFER with another embedded header: %v", err)
	}
}

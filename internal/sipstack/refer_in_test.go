package sipstack

import (
	"context"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// peerRefer sends a REFER in the peer's dialog with the Refer-To values given.
func peerRefer(t *testing.T, ctx context.Context, sess *sipgo.DialogClientSession, referTo ...string) *sip.Response {
	t.Helper()
	req := sip.NewRequest(sip.REFER, *sess.InviteResponse.Contact().Address.Clone())
	for _, v := range referTo {
		req.AppendHeader(sip.NewHeader("Refer-To", v))
	}
	res, err := sess.Do(ctx, req)
	if err != nil {
		t.Fatalf("peer REFER: %v", err)
	}
	return res
}

// The peer's REFER is reported as Referred with the Refer-To URI and waits for
// AnswerRefer: 202 when accepted, 603 when not; without one Refer-To URI it gets 400.
// Our NOTIFYs carry the sipfrag and the subscription's state, terminated on the last.
func TestReferReceivedAnsweredAndNotified(t *testing.T) {
	p := newPeer(t)
	notifies := make(chan *sip.Request, 4)
	p.srv.OnNotify(func(req *sip.Request, tx sip.ServerTransaction) {
		notifies <- req
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)

	for _, tc := range []struct {
		accept bool
		code   int
	}{{false, 603}, {true, 202}} {
		got := make(chan *sip.Response, 1)
		go func() {
			got <- peerRefer(t, ctx, sess, "<sip:carol@example.com?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>;x=1")
		}()
		if ev := expectCall(t, rec, c, Referred, 0); ev.Reason != "sip:carol@example.com?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2" {
			t.Errorf("Referred target %q", ev.Reason)
		}
		c.AnswerRefer(tc.accept)
		if res := <-got; res.StatusCode != tc.code {
			t.Errorf("REFER answered %d, want %d", res.StatusCode, tc.code)
		}
	}
	for _, bad := range [][]string{nil, {"<mailto:a@b>"}, {"<sip:a@b>", "<sip:c@d>"}} {
		if res := peerRefer(t, ctx, sess, bad...); res.StatusCode != 400 {
			t.Errorf("REFER with Refer-To %q answered %d, want 400", bad, res.StatusCode)
		}
	}
	noEvent(t, rec)

	if err := c.NotifyRefer(ctx, 180, "Ringing", false); err != nil {
		t.Fatal(err)
	}
	if err := c.NotifyRefer(ctx, 200, "OK", true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ state, frag string }{{"active", "SIP/2.0 180 Ringing\r\n"}, {"terminated", "SIP/2.0 200 OK\r\n"}} {
		n := <-notifies
		if ev := n.GetHeader("Event"); ev == nil || ev.Value() != "refer" {
			t.Errorf("NOTIFY Event %v", ev)
		}
		if ss := n.GetHeader("Subscription-State"); ss == nil || !strings.HasPrefix(ss.Value(), want.state) {
			t.Errorf("NOTIFY Subscription-State %v, want %s", ss, want.state)
		}
		if ct := n.ContentType(); ct == nil || !strings.HasPrefix(ct.Value(), "message/sipfrag") {
			t.Errorf("NOTIFY Content-Type %v", ct)
		}
		if string(n.Body()) != want.frag {
			t.Errorf("NOTIFY body %q, want %q", n.Body(), want.frag)
		}
	}

	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	expectCall(t, rec, c, Ended, 0)
	if res := peerRefer(t, ctx, sess, "<sip:carol@example.com>"); res.StatusCode != 481 {
		t.Errorf("REFER after the BYE answered %d, want 481", res.StatusCode)
	}
}

package sipstack

import (
	"context"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// peerUpdate sends an UPDATE from the peer's side of the dialog, with body (nil: none).
func peerUpdate(t *testing.T, ctx context.Context, sess *sipgo.DialogClientSession, body []byte) *sip.Response {
	t.Helper()
	req := sip.NewRequest(sip.UPDATE, *sess.InviteResponse.Contact().Address.Clone())
	if body != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	req.SetBody(body)
	res, err := sess.Do(ctx, req)
	if err != nil {
		t.Fatalf("peer UPDATE: %v", err)
	}
	return res
}

// An UPDATE in a confirmed dialog (RFC 3311) is answered as a re-INVITE is: with
// an offer, 200 with our answer and an Updated event; without, a bare 200. Once
// the call is over, 481.
func TestUpdateInConfirmedDialog(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)

	res := peerUpdate(t, ctx, sess, peerSDPDir(DirSendOnly, Codec{0, "PCMU", 8000}))
	if res.StatusCode != 200 || direction(t, res.Body()) != DirRecvOnly {
		t.Fatalf("UPDATE with a hold offer answered %d:\n%s", res.StatusCode, res.Body())
	}
	if ev := expectCall(t, rec, c, Updated, 0); ev.Reason != "UPDATE" || !ev.RemoteHeld {
		t.Errorf("Updated %+v, want the UPDATE's hold", ev)
	}
	if res := peerUpdate(t, ctx, sess, nil); res.StatusCode != 200 || len(res.Body()) != 0 {
		t.Errorf("UPDATE without SDP answered %d with %q", res.StatusCode, res.Body())
	}
	noEvent(t, rec)

	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	expectCall(t, rec, c, Ended, 0)
	if res := peerUpdate(t, ctx, sess, nil); res.StatusCode != 481 {
		t.Errorf("UPDATE after the BYE answered %d, want 481", res.StatusCode)
	}
}

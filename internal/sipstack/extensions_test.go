package sipstack

import (
	"context"
	"errors"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// An INVITE requiring an extension we lack gets 420 Bad Extension naming it in
// Unsupported (RFC 3261 section 8.2.2.3), and no call is offered.
func TestInviteRequiringUnknownExtensionGets420(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	dua := sipgo.DialogUA{Client: p.cli, ContactHDR: p.contact()}
	host, port, _ := splitHostPort(st.UDPAddr())
	sess, err := dua.Invite(ctx, sip.Uri{Scheme: "sip", User: "alice", Host: host, Port: port}, testSDP(50000),
		sip.NewHeader("Content-Type", "application/sdp"), sip.NewHeader("Require", "100rel, x-future, x-past"))
	if err != nil {
		t.Fatal(err)
	}
	var refused *sipgo.ErrDialogResponse
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); !errors.As(err, &refused) || refused.Res.StatusCode != 420 {
		t.Fatalf("INVITE answered %v, want 420", err)
	}
	if h := refused.Res.GetHeader("Unsupported"); h == nil || h.Value() != "x-future, x-past" {
		t.Fatalf("Unsupported: %v, want the two we lack (100rel we support)", h)
	}
	select {
	case ev := <-rec.ch:
		t.Fatalf("a refused INVITE reported %#v", ev)
	default:
	}
}

package sipstack

import (
	"context"
	"errors"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// An INVITE whose Replaces names one of our confirmed calls (to-tag ours, from-tag
// the peer's) is reported with that call's Call-ID; one naming no call of ours, or
// with the tags the wrong way round, gets 481; one that does not parse 400.
func TestInviteWithReplaces(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)
	peerTag, _ := sess.InviteRequest.From().Params.Get("tag")
	ourTag, _ := sess.InviteResponse.To().Params.Get("tag")

	for _, tc := range []struct {
		replaces string
		code     int
	}{
		{"unknown;to-tag=" + ourTag + ";from-tag=" + peerTag, 481},
		{c.CallID() + ";to-tag=" + peerTag + ";from-tag=" + ourTag, 481},
		{c.CallID() + ";to-tag=" + ourTag, 400},
	} {
		sess, err := p.dialWith(ctx, st, testSDP(50002), sip.NewHeader("Replaces", tc.replaces))
		if err == nil {
			err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{})
		}
		var refused *sipgo.ErrDialogResponse
		if !errors.As(err, &refused) || refused.Res.StatusCode != tc.code {
			t.Errorf("Replaces %q: %v, want %d", tc.replaces, err, tc.code)
		}
	}
	noEvent(t, rec)

	// early-only names a call still ringing; this one is answered (section 3: 486)
	sess, err := p.dialWith(ctx, st, testSDP(50004), sip.NewHeader("Replaces", c.CallID()+";to-tag="+ourTag+";from-tag="+peerTag+";early-only"))
	if err == nil {
		err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{})
	}
	if refused := (*sipgo.ErrDialogResponse)(nil); !errors.As(err, &refused) || refused.Res.StatusCode != 486 {
		t.Errorf("Replaces with early-only naming a confirmed call: %v, want 486", err)
	}
	noEvent(t, rec)

	go p.dialWith(ctx, st, testSDP(50008), sip.NewHeader("Replaces", c.CallID()+";to-tag="+ourTag+";from-tag="+peerTag))
	if in := rec.incoming(); in.Replaces != c.CallID() {
		t.Errorf("Incoming.Replaces %q, want %s", in.Replaces, c.CallID())
	}

	// a caller requiring the extension (RFC 3891 section 3) is not refused with 420
	go p.dialWith(ctx, st, testSDP(50006), sip.NewHeader("Require", "replaces"),
		sip.NewHeader("Replaces", c.CallID()+";to-tag="+ourTag+";from-tag="+peerTag))
	if in := rec.incoming(); in.Replaces != c.CallID() {
		t.Errorf("with Require: replaces, Incoming.Replaces %q, want %s", in.Replaces, c.CallID())
	}
}

// An incoming call is confirmed once our 2xx is out, before its ACK: a transferee's
// INVITE with Replaces sent as soon as the transferor has our 2xx may overtake the
// ACK, and must find the call (RFC 3261 section 12.1.1).
func TestDialogConfirmedOnceOur2xxIsOut(t *testing.T) {
	for _, tc := range []struct {
		incoming bool
		st       callState
		want     bool
	}{
		{true, stateInviting, false},
		{true, stateAnswering, true},
		{true, stateEstablished, true},
		{true, stateRejecting, false},
		{false, stateInviting, false},
		{false, stateEstablished, true},
		{false, stateCancelling, false},
	} {
		c := &Call{incoming: tc.incoming}
		if got := c.confirmed(tc.st); got != tc.want {
			t.Errorf("incoming %v in state %d: confirmed %v, want %v", tc.incoming, tc.st, got, tc.want)
		}
	}
}

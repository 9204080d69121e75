package sipstack

import (
	"context"
	"errors"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// The matching rules of RFC 3891 section 3: the Call-ID, our tag as the to-tag and
// the other party's as the from-tag; a confirmed dialog either way, an early one
// only when we initiated it.
func TestReplacesNamesADialog(t *testing.T) {
	r := replacesTarget{callID: "c1", toTag: "ours", fromTag: "theirs"}
	for _, tc := range []struct {
		name string
		d    ourDialog
		want bool
	}{
		{"confirmed, theirs", ourDialog{callID: "c1", local: "ours", remote: "theirs", confirmed: true}, true},
		{"confirmed, ours", ourDialog{callID: "c1", local: "ours", remote: "theirs", confirmed: true, initiated: true}, true},
		{"early, ours", ourDialog{callID: "c1", local: "ours", remote: "theirs", initiated: true}, true},
		{"early, theirs", ourDialog{callID: "c1", local: "ours", remote: "theirs"}, false},
		{"another Call-ID", ourDialog{callID: "c2", local: "ours", remote: "theirs", initiated: true}, false},
		{"tags the wrong way round", ourDialog{callID: "c1", local: "theirs", remote: "ours", initiated: true}, false},
		{"another party's early dialog", ourDialog{callID: "c1", local: "ours", remote: "fork", initiated: true}, false},
		{"another tag of ours", ourDialog{callID: "c1", local: "other", remote: "theirs", confirmed: true}, false},
	} {
		if got := r.names(tc.d); got != tc.want {
			t.Errorf("%s: names = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// An INVITE with Replaces naming the early dialog of our own outgoing call while it
// rings (RFC 3891 section 7.1: a pickup) is reported with that call's Call-ID,
// early-only or not; naming it with a tag that is not the ringing party's, or the
// tags the wrong way round, gets 481, and so does one naming the early dialog of a
// call ringing here, which we did not initiate.
func TestInviteWithReplacesOfOurRingingCall(t *testing.T) {
	p := newPeer(t)
	step := make(chan struct{})
	p.set(func(p *peer) { p.onInvite = answerWith(testSDP(50000), false, step) })
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.INVITE)
	expectCall(t, rec, c, Provisional, 183)
	step <- struct{}{}
	expectCall(t, rec, c, Provisional, 180)
	ring := p.uasLast(t)
	ourTag, _ := ring.InviteRequest.From().Params.Get("tag")
	ringTag, _ := ring.InviteRequest.To().Params.Get("tag") // sipgo tags the INVITE as it reads it

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	refused := func(replaces string, code int) {
		t.Helper()
		sess, err := p.dialWith(ctx, st, testSDP(50002), sip.NewHeader("Replaces", replaces))
		if err == nil {
			err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{})
		}
		var res *sipgo.ErrDialogResponse
		if !errors.As(err, &res) || res.Res.StatusCode != code {
			t.Errorf("Replaces %q: %v, want %d", replaces, err, code)
		}
	}
	refused(c.CallID()+";to-tag="+ourTag+";from-tag=other", 481)
	refused(c.CallID()+";to-tag="+ringTag+";from-tag="+ourTag, 481)
	refused("unknown;to-tag="+ourTag+";from-tag="+ringTag, 481)
	noEvent(t, rec)

	for _, early := range []string{"", ";early-only"} {
		go p.dialWith(ctx, st, testSDP(50004), sip.NewHeader("Replaces", c.CallID()+";to-tag="+ourTag+";from-tag="+ringTag+early))
		if in := rec.incoming(); in.Replaces != c.CallID() {
			t.Errorf("Replaces%s: Incoming.Replaces %q, want %s", early, in.Replaces, c.CallID())
		}
	}

	// a call ringing here: its early dialog is not ours to replace
	tags := make(chan string, 1)
	go func() {
		sess, err := p.dialWith(ctx, st, testSDP(50006))
		if err != nil {
			return
		}
		_ = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
			if res.StatusCode == 180 {
				tag, _ := res.To().Params.Get("tag")
				tags <- tag
			}
			return nil
		}})
	}()
	in := rec.incoming()
	if err := in.Call.Ring(); err != nil {
		t.Fatal(err)
	}
	callerTag, _ := in.Call.uas.InviteRequest.From().Params.Get("tag")
	refused(in.Call.CallID()+";to-tag="+<-tags+";from-tag="+callerTag, 481)
}

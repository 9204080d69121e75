package sipstack

import (
	"context"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

func TestKamailioRegisterAndCall(t *testing.T) {
	server := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "hunter2"}}).Addr
	alice, aliceEv := newTestStack(t, nil, nil)
	bob, bobEv := newTestStack(t, nil, nil)
	for _, x := range []struct {
		st  *Stack
		rec *recorder
		acc Account
	}{
		{alice, aliceEv, Account{Server: server, Username: "alice", Password: "secret", DisplayName: "Alice"}},
		{bob, bobEv, Account{Server: server, Username: "bob", Password: "hunter2"}},
	} {
		if err := x.st.SetAccount(x.acc); err != nil {
			t.Fatal(err)
		}
		if err := x.st.Register(); err != nil {
			t.Fatal(err)
		}
		x.rec.reg() // registering
		if ev := x.rec.reg(); ev.State != RegRegistered {
			t.Fatalf("%s: %+v, want registered", x.acc.Username, ev)
		}
	}

	acc, _ := alice.account()
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	call, err := alice.Dial(DialOptions{Target: target, SDP: testSDP(40000)})
	if err != nil {
		t.Fatal(err)
	}
	in := bobEv.incoming()
	if in.FromUser != "alice" || in.FromName != "Alice" {
		t.Fatalf("bob sees caller %+v", in)
	}
	if err := in.Call.Ring(); err != nil {
		t.Fatal(err)
	}
	expectCall(t, aliceEv, call, Provisional, 180)
	if err := in.Call.Answer(testSDP(40002)); err != nil {
		t.Fatal(err)
	}
	expectCall(t, aliceEv, call, Answered, 200)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup through the proxy: %v", err)
	}
	expectCall(t, aliceEv, call, Ended, 0)
	expectCall(t, bobEv, in.Call, RemoteBye, 0)

	if err := alice.Unregister(ctx); err != nil {
		t.Fatalf("Unregister: %v", err)
	}
	if ev := aliceEv.reg(); ev.State != RegUnregistered || ev.Code != 200 {
		t.Fatalf("%+v, want unregistered 200", ev)
	}
}

func TestKamailioAnswersTheKeepAlivePingOnTCP(t *testing.T) {
	server := testpeer.StartKamailio(t, testpeer.KamailioOptions{}).Addr
	clock := newFakeClock()
	st, rec := newKeepAliveStack(t, clock, 7*time.Second)
	registered(t, st, rec, clock, Account{Server: server, Username: "alice", Transport: "tcp"})
	tick := clock.next(t)
	for range 2 {
		tick.fire <- time.Now()
		if pong := clock.next(t); pong.d != pongTimeout {
			t.Fatalf("timer %v after the ping, want the pong timeout", pong.d)
		}
		// The pong ends the wait before its timer fires: the next keep-alive is due.
		if tick = clock.next(t); tick.d != 7*time.Second {
			t.Fatalf("timer %v after the ping, want the next keep-alive", tick.d)
		}
	}
}

package sipstack

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// newTLSStack is a stack whose TLS client trusts the system roots and caFile.
func newTLSStack(t *testing.T, caFile string) (*Stack, *recorder) {
	t.Helper()
	tc, err := ClientTLSConfig(caFile)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", UserAgent: "wpservice-test", OnEvent: rec.on,
		Logger: slog.New(slog.DiscardHandler), TLSConfig: tc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, rec
}

// Bob registers over TLS; alice, on UDP, calls him through kamailio, which sends
// the INVITE back over the connection bob's REGISTER opened, since bob has no TLS
// listener it could reach. Bob answers on that connection and the call ends cleanly.
func TestKamailioCallsInOverTheRegistrationsTLSConnection(t *testing.T) {
	ca := testpeer.NewTestCA(t)
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{TLS: ca})
	alice, aliceEv := newTestStack(t, nil, nil)
	bob, bobEv := newTLSStack(t, ca.CertFile)
	for _, x := range []struct {
		st  *Stack
		rec *recorder
		acc Account
	}{
		{alice, aliceEv, Account{Server: k.Addr, Username: "alice"}},
		{bob, bobEv, Account{Server: k.TLSAddr, Username: "bob", Transport: "tls"}},
	} {
		if err := x.st.SetAccount(x.acc); err != nil {
			t.Fatal(err)
		}
		if err := x.st.Register(); err != nil {
			t.Fatal(err)
		}
		x.rec.reg() // registering
		if ev := x.rec.reg(); ev.State != RegRegistered {
			t.Fatalf("%s: %+v, want registered\n%s", x.acc.Username, ev, k.Log())
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
	if err := in.Call.Answer(testSDP(40002)); err != nil {
		t.Fatal(err)
	}
	expectCall(t, aliceEv, call, Answered, 200)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	expectCall(t, aliceEv, call, Ended, 0)
	expectCall(t, bobEv, in.Call, RemoteBye, 0)
}

// A server whose certificate chains to no trusted root is refused: the
// registration fails with the verification error as its reason.
func TestKamailioWithAnUnknownCAIsRefused(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{TLS: testpeer.NewTestCA(t)})
	st, rec := newTLSStack(t, "")
	if err := st.SetAccount(Account{Server: k.TLSAddr, Username: "bob", Transport: "tls"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	rec.reg() // registering
	ev := rec.reg()
	if ev.State != RegFailed || ev.Code != 0 || !strings.Contains(ev.Reason, "certificate") {
		t.Fatalf("%+v, want failed for the server's certificate", ev)
	}
}

package sipstack

import (
	"context"
	"testing"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// Two accounts on TLS, each at its own kamailio, each advertise their own
// connection: a call to the default account, which registered first, comes in
// over its connection, and the far end's ACK and BYE, which kamailio sends to the
// Contact of our answer, find that connection again, not the second account's.
// Then the same for a call to the second account.
func TestTwoAccountsOnTLSEachKeepTheirFlow(t *testing.T) {
	ca := testpeer.NewTestCA(t)
	st, rec := newTLSStack(t, ca.CertFile)
	accounts := []Account{{Username: "bob", Transport: "tls"}, {ID: "2", Username: "carol", Transport: "tls"}}
	callers := make([]*Stack, 2)
	callerEvs := make([]*recorder, 2)
	for i := range accounts {
		k := testpeer.StartKamailio(t, testpeer.KamailioOptions{TLS: ca})
		accounts[i].Server = k.TLSAddr
		if err := st.SetAccount(accounts[i]); err != nil {
			t.Fatal(err)
		}
		if err := st.RegisterAccount(accounts[i].ID); err != nil {
			t.Fatal(err)
		}
		rec.reg() // registering
		if ev := rec.reg(); ev.State != RegRegistered || ev.Account != accounts[i].ID {
			t.Fatalf("%+v, want account %q registered\n%s", ev, accounts[i].ID, k.Log())
		}
		callers[i], callerEvs[i] = newTestStack(t, nil, nil)
		if err := callers[i].SetAccount(Account{Server: k.Addr, Username: "alice"}); err != nil {
			t.Fatal(err)
		}
	}

	for i, acc := range accounts {
		caller, callerEv := callers[i], callerEvs[i]
		cacc, _ := caller.account()
		target, err := ParseTarget(acc.Username, cacc)
		if err != nil {
			t.Fatal(err)
		}
		call, err := caller.Dial(DialOptions{Target: target, SDP: testSDP(40000)})
		if err != nil {
			t.Fatal(err)
		}
		in := rec.incoming()
		if in.Account != acc.ID {
			t.Fatalf("the call to %s came in on account %q", acc.Username, in.Account)
		}
		if err := in.Call.Answer(testSDP(40002)); err != nil {
			t.Fatal(err)
		}
		expectCall(t, callerEv, call, Answered, 200)
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		if err := call.Hangup(ctx); err != nil {
			t.Fatalf("Hangup: %v", err)
		}
		cancel()
		expectCall(t, callerEv, call, Ended, 0)
		expectCall(t, rec, in.Call, RemoteBye, 0)
	}
}

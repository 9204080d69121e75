package sipstack

import (
	"context"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Two accounts, each with its own registrar and interval, register at once: each
// REGISTER goes to its own server with its own identity, the second's binding names
// its id, and each registration is reported with its account. Close unregisters both.
func TestTwoAccountsRegisterAtOnce(t *testing.T) {
	first, second := newPeer(t), newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	if err := st.SetAccount(Account{Server: first.hostPort(), Username: "alice", RegisterInterval: 300}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAccount(Account{ID: "2", Server: second.hostPort(), Username: "alice", RegisterInterval: 120}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	if err := st.RegisterAccount("2"); err != nil {
		t.Fatal(err)
	}
	r1, r2 := first.expect(sip.REGISTER), second.expect(sip.REGISTER)
	if got := r1.GetHeader("Expires").Value(); got != "300" || r1.Contact().Address.UriParams.Has(accountParam) {
		t.Errorf("default account: Expires %s, Contact %s", got, r1.Contact().Value())
	}
	if got := r2.GetHeader("Expires").Value(); got != "120" {
		t.Errorf("second account: Expires %s, want 120", got)
	}
	if id, _ := r2.Contact().Address.UriParams.Get(accountParam); id != "2" {
		t.Errorf("second account's Contact %s does not name it", r2.Contact().Value())
	}
	registered := map[string]bool{}
	for len(registered) < 2 {
		if ev := rec.reg(); ev.State == RegRegistered {
			registered[ev.Account] = true
		}
	}
	if !registered[""] || !registered["2"] {
		t.Fatalf("registered accounts %v, want the default and 2", registered)
	}

	st.Close()
	for _, p := range []*peer{first, second} {
		if got := p.expect(sip.REGISTER).GetHeader("Expires").Value(); got != "0" {
			t.Errorf("close sent Expires %s, want 0", got)
		}
	}
}

// A call dialled from the second account goes to its server with its identity, and
// a call to the second account's binding (the default account's user name, the
// second's parameter) comes in as its call.
func TestCallsOnTheSecondAccount(t *testing.T) {
	first, second := newPeer(t), newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	if err := st.SetAccount(Account{Server: first.hostPort(), Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAccount(Account{ID: "2", Server: second.hostPort(), Username: "carol", DisplayName: "Second"}); err != nil {
		t.Fatal(err)
	}

	if _, err := st.Dial(DialOptions{Target: "sip:bob@" + second.hostPort(), SDP: testSDP(4000), Account: "2"}); err != nil {
		t.Fatal(err)
	}
	inv := second.expect(sip.INVITE)
	if from := inv.From(); from.Address.User != "carol" || !strings.Contains(from.Value(), "Second") {
		t.Errorf("From %s, want the second account's", from.Value())
	}
	if _, err := st.Dial(DialOptions{Target: "sip:bob@" + second.hostPort(), Account: "9"}); err == nil {
		t.Error("a call from an account the stack does not know went out")
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	host, port, _ := splitHostPort(st.UDPAddr())
	ruri := sip.Uri{Scheme: "sip", User: "alice", Host: host, Port: port, UriParams: sip.HeaderParams{{K: accountParam, V: "2"}}}
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "peer", Host: second.ip}, Params: sip.NewParams()}
	from.Params.Add("tag", newTag())
	dua := sipgo.DialogUA{Client: second.cli, ContactHDR: second.contact()}
	go func() {
		_, _ = dua.Invite(ctx, ruri, testSDP(5000), from, sip.NewHeader("Content-Type", "application/sdp"))
	}()
	for {
		ev := rec.next()
		if in, ok := ev.(Incoming); ok {
			if in.Account != "2" {
				t.Fatalf("the call to the second account's binding came in for account %q", in.Account)
			}
			_ = in.Call.Reject(486, "Busy Here")
			return
		}
	}
}

func TestMatchAccount(t *testing.T) {
	def := Account{Username: "100", Server: "a"}
	extras := []Account{{ID: "2", Username: "200", Server: "b"}, {ID: "3", Username: "100", Server: "c"}}
	uri := func(user, id string) sip.Uri {
		u := sip.Uri{User: user, Host: "h"}
		if id != "" {
			u.UriParams = sip.HeaderParams{{K: accountParam, V: id}}
		}
		return u
	}
	for _, tc := range []struct {
		ruri sip.Uri
		to   string
		want string
	}{
		{uri("100", "3"), "100", "3"}, // the binding's parameter first
		{uri("100", ""), "100", ""},   // a user two accounts share: the default
		{uri("200", ""), "100", "2"},  // the Request-URI's user
		{uri("x", ""), "200", "2"},    // the To header's user
		{uri("x", ""), "y", ""},       // nothing matches: the default
		{uri("x", "9"), "y", ""},      // an id no account has
	} {
		if got, _ := matchAccount(tc.ruri, tc.to, def, true, extras); got.ID != tc.want {
			t.Errorf("R-URI %s, To %s: account %q, want %q", tc.ruri.String(), tc.to, got.ID, tc.want)
		}
	}
}

package sipstack

import "testing"

// A MESSAGE to the user of an account besides the default is reported with that
// account's id; one to the default account's user with none.
func TestMessageSaysItsAccount(t *testing.T) {
	st, rec := newTestStack(t, nil, nil)
	if err := st.SetAccount(Account{Server: "127.0.0.1:5999", Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAccount(Account{ID: "b", Server: "127.0.0.1:5999", Username: "bob"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ user, account string }{{"bob", "b"}, {"alice", ""}} {
		if code := peerMessageToOverTCP(t, st, tc.user, "text/plain", "to "+tc.user); code != 200 {
			t.Fatalf("MESSAGE to %s answered %d", tc.user, code)
		}
		if m := rec.message(); m.Text != "to "+tc.user || m.Account != tc.account {
			t.Errorf("Message %+v, want account %q", m, tc.account)
		}
	}
}

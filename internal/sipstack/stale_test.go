package sipstack

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// A registrar whose nonce expired answers good credentials with a new challenge
// marked stale=true: the stack answers it at once with the fresh nonce, and the
// registration succeeds without a failure or a back-off.
func TestRegisterAnswersStaleNonceAtOnce(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) { p.password, p.grant, p.staleOnce = "secret", 60, true })
	st, rec := newTestStack(t, newFakeClock(), nil)
	if err := st.SetAccount(Account{Server: p.hostPort(), Username: "alice", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	if ev := rec.reg(); ev.State != RegRegistering {
		t.Fatalf("%+v, want registering", ev)
	}
	if ev := rec.reg(); ev.State != RegRegistered {
		t.Fatalf("%+v, want registered at once after the stale nonce", ev)
	}
	p.expect(sip.REGISTER) // no credentials
	p.expect(sip.REGISTER) // refused: stale
	if again := p.expect(sip.REGISTER); again.GetHeader("Authorization") == nil {
		t.Fatal("the answer to the stale challenge carries no credentials")
	}
}

package sipstack

import (
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// TestSubscribeGoesFromTheAccountItNames: a subscription of an account besides the
// default goes to that account's server, from its address of record; one of an
// account the stack does not know is refused.
func TestSubscribeGoesFromTheAccountItNames(t *testing.T) {
	st, _ := newTestStack(t, newFakeClock(), nil)
	def := newNotifier(t, func(n *notifier, req *sip.Request) *sip.Response { return n.ok(req, 600) })
	second := newNotifier(t, func(n *notifier, req *sip.Request) *sip.Response { return n.ok(req, 600) })
	if err := st.SetAccount(Account{Server: def.hostPort(), Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAccount(Account{ID: "b", Server: "b.example", OutboundProxy: second.hostPort(), Username: "bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Subscribe(SubscribeOptions{Target: "carol", Event: "presence", Account: "b"}); err != nil {
		t.Fatal(err)
	}
	got := second.expectSubscribe()
	if from := got.From().Address; from.User != "bob" || from.Host != "b.example" {
		t.Errorf("From %s, want bob@b.example", from.String())
	}
	if ruri := got.Recipient; ruri.User != "carol" || ruri.Host != "b.example" {
		t.Errorf("Request-URI %s, want carol at the second account's domain", ruri.String())
	}
	def.noSubscribe(300 * time.Millisecond)

	if _, err := st.Subscribe(SubscribeOptions{Target: "carol", Event: "presence", Account: "nobody"}); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("Subscribe from an unknown account: %v, want ErrNoAccount", err)
	}
}

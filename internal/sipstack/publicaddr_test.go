package sipstack

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestContactFollowsThePublicAddressTheRegistrarSees(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) { p.seenAs = "203.0.113.7:40000" }) // as a NAT would show us
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	local := "127.0.0.1:" + strconv.Itoa(st.udpLaddr.Port)
	refresh := registered(t, st, rec, clock, Account{Server: p.hostPort(), Username: "alice"})

	if got := contactsOf(p.expect(sip.REGISTER)); len(got) != 1 || got[0] != "<sip:alice@"+local+">" {
		t.Fatalf("first REGISTER Contact %q, want our local address %s", got, local)
	}
	// Registered again at once: the new binding in, the old one out, in one request.
	got := contactsOf(p.expect(sip.REGISTER))
	want := []string{"<sip:alice@" + local + ">;expires=0", "<sip:alice@203.0.113.7:40000>"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("second REGISTER Contact %q, want %q", got, want)
	}
	if refresh.d != 255*time.Second {
		t.Fatalf("timer %v after the rewrite, want the refresh (no third REGISTER)", refresh.d)
	}

	// Calls give the registrar's view too.
	c, err := st.Dial(DialOptions{Target: "sip:bob@" + p.hostPort(), SDP: testSDP(40000)})
	if err != nil {
		t.Fatal(err)
	}
	if ct := p.expect(sip.INVITE).Contact(); ct == nil || ct.Address.Host != "203.0.113.7" || ct.Address.Port != 40000 {
		t.Fatalf("INVITE Contact %v, want the public address", ct)
	}
	expectCall(t, rec, c, Failed, 480)

	// The unregistration removes the binding the registrar has.
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := st.Unregister(ctx); err != nil {
		t.Fatal(err)
	}
	if got := contactsOf(p.expect(sip.REGISTER)); len(got) != 1 || got[0] != "<sip:alice@203.0.113.7:40000>" {
		t.Fatalf("unregistration Contact %q, want the public binding", got)
	}
}

func TestContactStaysWhenTheRegistrarSeesOurAddress(t *testing.T) {
	p := newPeer(t)
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	refresh := registered(t, st, rec, clock, Account{Server: p.hostPort(), Username: "alice"})
	if got := contactsOf(p.expect(sip.REGISTER)); len(got) != 1 || got[0] != "<sip:alice@"+st.UDPAddr()+">" {
		t.Fatalf("REGISTER Contact %q, want our address %s", got, st.UDPAddr())
	}
	if refresh.d != 255*time.Second {
		t.Fatalf("timer %v, want the refresh", refresh.d)
	}
}

// contactsOf lists the Contact header values of req, in order.
func contactsOf(req *sip.Request) []string {
	var out []string
	for _, h := range req.GetHeaders("Contact") {
		out = append(out, h.Value())
	}
	return out
}

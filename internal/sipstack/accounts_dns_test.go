package sipstack

import (
	"context"
	"fmt"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// Two accounts on two domains, each found through DNS (RFC 3263), keep their
// own routes: both register, each at its own domain's SRV target, and a call
// from each goes to its own server, the other's resolution notwithstanding.
func TestTwoAccountsOnTwoDomainsFoundThroughDNS(t *testing.T) {
	one, two := newPeer(t), newPeer(t)
	for _, p := range []*peer{one, two} {
		p.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), nil) })
	}
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "pbx.one.test", Records: []string{
		"host-record=pbx.one.test,127.0.0.1",
		"host-record=pbx.two.test,127.0.0.1",
		fmt.Sprintf("srv-host=_sip._udp.one.test,pbx.one.test,%d,10,0", one.addr.Port),
		fmt.Sprintf("srv-host=_sip._udp.two.test,pbx.two.test,%d,10,0", two.addr.Port),
	}})
	st, rec := dnsStack(t, dns.Addr, nil)
	accounts := []Account{{Server: "one.test", Username: "alice"}, {ID: "2", Server: "two.test", Username: "carol"}}
	servers := []*peer{one, two}
	for i, acc := range accounts {
		if err := st.SetAccount(acc); err != nil {
			t.Fatal(err)
		}
		if err := st.RegisterAccount(acc.ID); err != nil {
			t.Fatal(err)
		}
		rec.reg() // registering
		if ev := rec.reg(); ev.State != RegRegistered || ev.Account != acc.ID {
			t.Fatalf("%+v, want account %q registered at its domain's SRV target", ev, acc.ID)
		}
		if reg := servers[i].expect(sip.REGISTER); reg.From().Address.User != acc.Username {
			t.Fatalf("%s's server got the REGISTER of %s", acc.Server, reg.From().Address.User)
		}
	}
	for i, acc := range accounts {
		target, err := ParseTarget("bob", acc)
		if err != nil {
			t.Fatal(err)
		}
		c, err := st.Dial(DialOptions{Target: target, SDP: testSDP(40000), Account: acc.ID})
		if err != nil {
			t.Fatal(err)
		}
		if inv := servers[i].expect(sip.INVITE); inv.From().Address.User != acc.Username {
			t.Fatalf("%s's server got the INVITE of %s", acc.Server, inv.From().Address.User)
		}
		expectCall(t, rec, c, Answered, 200)
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		if err := c.Hangup(ctx); err != nil {
			t.Fatalf("hang-up: %v", err)
		}
		cancel()
		servers[i].expect(sip.BYE)
		expectCall(t, rec, c, Ended, 0)
	}
}

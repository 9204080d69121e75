package sipstack

import (
	"context"
	"fmt"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// An INVITE to the account's server found through DNS that gets 503 at the first
// SRV target goes on to the next (RFC 3263 section 4.3): the same request (its
// Call-ID and CSeq) in a new transaction, which that target answers. dnsmasq
// serves the records; the two targets are scripted peers.
func TestInviteMovesToTheNextSRVTarget(t *testing.T) {
	busy, next := newPeer(t), newPeer(t)
	busy.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 503, "Service Unavailable", nil))
		}
	})
	next.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), nil) })
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "busy." + dnsDomain, Records: []string{
		"host-record=busy." + dnsDomain + ",127.0.0.1",
		"host-record=next." + dnsDomain + ",127.0.0.1",
		fmt.Sprintf("srv-host=_sip._udp.%s,busy.%s,%d,10,0", dnsDomain, dnsDomain, busy.addr.Port),
		fmt.Sprintf("srv-host=_sip._udp.%s,next.%s,%d,20,0", dnsDomain, dnsDomain, next.addr.Port),
	}})
	st, rec := dnsStack(t, dns.Addr, nil)
	if err := st.SetAccount(Account{Server: dnsDomain, Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	rec.reg() // registering
	if ev := rec.reg(); ev.State != RegRegistered {
		t.Fatalf("%+v, want registered at the first SRV target", ev)
	}
	busy.expect(sip.REGISTER)

	acc, _ := st.account()
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Dial(DialOptions{Target: target, SDP: testSDP(40000)})
	if err != nil {
		t.Fatal(err)
	}
	first := busy.expect(sip.INVITE)
	again := next.expect(sip.INVITE)
	expectCall(t, rec, c, Answered, 200)
	if again.CallID().Value() != first.CallID().Value() || again.CSeq().SeqNo != first.CSeq().SeqNo {
		t.Errorf("the next target got Call-ID %s CSeq %d, want the first INVITE's %s %d",
			again.CallID().Value(), again.CSeq().SeqNo, first.CallID().Value(), first.CSeq().SeqNo)
	}
	b1, _ := first.Via().Params.Get("branch")
	if b2, _ := again.Via().Params.Get("branch"); b1 == b2 {
		t.Errorf("the INVITE went again with the same branch %s, want a new transaction", b1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("hang-up: %v", err)
	}
	next.expect(sip.BYE)
}

// An outbound proxy named by a bare domain is found through DNS as a server is
// (RFC 3263): its NAPTR records lead to SRV records, whose target gets the
// REGISTER and the INVITE, with the proxy in Route; the account's server itself
// has no address at all.
func TestOutboundProxyFoundThroughDNS(t *testing.T) {
	proxy := newPeer(t)
	proxy.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), nil) })
	edge := "edge." + dnsDomain
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "p1." + dnsDomain, Records: []string{
		"host-record=p1." + dnsDomain + ",127.0.0.1",
		fmt.Sprintf("srv-host=_sip._udp.proxies.%s,p1.%s,%d,10,0", dnsDomain, dnsDomain, proxy.addr.Port),
		"naptr-record=" + edge + ",10,10,s,SIP+D2U,,_sip._udp.proxies." + dnsDomain,
	}})
	st, rec := dnsStack(t, dns.Addr, nil)
	if err := st.SetAccount(Account{Server: dnsDomain, OutboundProxy: edge, Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	rec.reg() // registering
	if ev := rec.reg(); ev.State != RegRegistered {
		t.Fatalf("%+v, want registered through the proxy's SRV target", ev)
	}
	reg := proxy.expect(sip.REGISTER)
	if r := reg.Route(); r == nil || r.Address.Host != edge {
		t.Errorf("REGISTER Route %v, want the proxy %s", r, edge)
	}
	acc, _ := st.account()
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Dial(DialOptions{Target: target, SDP: testSDP(40000)})
	if err != nil {
		t.Fatal(err)
	}
	if inv := proxy.expect(sip.INVITE); inv.Recipient.Host != dnsDomain {
		t.Errorf("INVITE to %s, want bob of %s", inv.Recipient.String(), dnsDomain)
	}
	expectCall(t, rec, c, Answered, 200)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatalf("hang-up: %v", err)
	}
}

package sipstack

import (
	"context"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// A 302 whose Contact says transport=tcp is followed over TCP, though the first
// INVITE went over UDP: Via and Contact name TCP and our TCP port, and the call's
// dialog stays on TCP, its BYE too.
func TestRedirectToTCPContactIsDialledOverTCP(t *testing.T) {
	first, second := newPeer(t), newPeer(t)
	redirectTo(first, "carol", second.tcpHostPort()+";transport=tcp")
	second.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			d, err := p.uasDialogs.ReadInvite(req, tx)
			if err != nil {
				p.t.Errorf("peer ReadInvite: %v", err)
				return
			}
			res := sip.NewSDPResponseFromRequest(d.InviteRequest, testSDP(50000))
			res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "carol", Host: p.ip, Port: p.tcp.Port,
				UriParams: sip.HeaderParams{{K: "transport", V: "tcp"}}}})
			_ = d.WriteResponse(res)
		}
	})
	st, rec := newRedirectingStack(t, true)
	c := dialPeer(t, st, first, Account{Server: first.hostPort(), Username: "alice"})

	if inv := first.expect(sip.INVITE); inv.Transport() != "UDP" {
		t.Fatalf("the first INVITE went over %s", inv.Transport())
	}
	expectCall(t, rec, c, Redirected, 302)
	moved := second.expect(sip.INVITE)
	expectCall(t, rec, c, Answered, 200)
	if moved.Transport() != "TCP" || moved.Via().Transport != "TCP" {
		t.Errorf("the redirected INVITE went over %s, Via %s; want TCP", moved.Transport(), moved.Via().Value())
	}
	ct := moved.Contact()
	if tp, _ := ct.Address.UriParams.Get("transport"); ct == nil || tp != "tcp" || ct.Address.Port != st.tcpPort {
		t.Errorf("the redirected INVITE's Contact %v, want transport=tcp and our TCP port %d", ct, st.tcpPort)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if bye := second.expect(sip.BYE); bye.Transport() != "TCP" {
		t.Errorf("the BYE went over %s, want TCP", bye.Transport())
	}
}

// A 302 to a target on another network is dialled from the local address that
// routes there, not the first INVITE's: Via, Contact and the datagram's source
// name it (localaddr.go).
func TestRedirectToAnotherNetworkUsesItsLocalAddress(t *testing.T) {
	ip := hostIP(t)
	first, second := newPeer(t), newPeerOn(t, ip)
	redirectTo(first, "carol", second.hostPort())
	st, rec := newWildcardStack(t, Config{FollowRedirects: true})
	c := dialPeer(t, st, first, Account{Server: first.hostPort(), Username: "alice"})
	checkAdvertised(t, st, first.expect(sip.INVITE), "127.0.0.1")
	expectCall(t, rec, c, Redirected, 302)
	checkAdvertised(t, st, second.expect(sip.INVITE), ip)
	expectCall(t, rec, c, Failed, 480) // the peer's default answer
}

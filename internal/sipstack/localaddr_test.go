package sipstack

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// These tests put a peer on a second local address of this machine (not loopback), so
// that "the address that routes to the peer" differs from 127.0.0.1.

// hostIP is a non-loopback IPv4 address of this machine.
func hostIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address to put a peer on")
	return ""
}

// newWildcardStack starts a stack listening on every address, like the engine with
// sip.listenIP "auto".
func newWildcardStack(t *testing.T, cfg Config) (*Stack, *recorder) {
	t.Helper()
	rec := newRecorder(t)
	cfg.OnEvent, cfg.UserAgent, cfg.Logger = rec.on, "wpservice-test", slog.New(slog.DiscardHandler)
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, rec
}

// checkAdvertised asserts that req left from our listening port and names ip in Via
// and Contact.
func checkAdvertised(t *testing.T, st *Stack, req *sip.Request, ip string) {
	t.Helper()
	if host, port, _ := net.SplitHostPort(req.Source()); host != ip || port != portOf(st) {
		t.Errorf("%s came from %s, want %s and our listening port %s", req.Method, req.Source(), ip, portOf(st))
	}
	if via := req.Via(); via.Host != ip || via.Port != st.udpLaddr.Port {
		t.Errorf("%s Via %s, want %s:%d", req.Method, via.Value(), ip, st.udpLaddr.Port)
	}
	if ct := req.Contact(); ct == nil || ct.Address.Host != ip || ct.Address.Port != st.udpLaddr.Port {
		t.Errorf("%s Contact %v, want %s:%d", req.Method, ct, ip, st.udpLaddr.Port)
	}
}

func portOf(st *Stack) string {
	_, port, _ := net.SplitHostPort(st.UDPAddr())
	return port
}

func TestAccountSetAtRunTimeRegistersFromTheAddressThatReachesItsServer(t *testing.T) {
	ip := hostIP(t)
	servers := []*peer{newPeerOn(t, ip), newPeer(t)} // started first, so they outlive the stack's unregistration
	st, rec := newWildcardStack(t, Config{})
	for _, server := range servers {
		if err := st.SetAccount(Account{Server: server.hostPort(), Username: "alice"}); err != nil {
			t.Fatal(err)
		}
		if err := st.Register(); err != nil {
			t.Fatal(err)
		}
		checkAdvertised(t, st, server.expect(sip.REGISTER), server.ip)
		for ev := rec.reg(); ev.State != RegRegistered; ev = rec.reg() {
		}
	}
}

func TestCallsAdvertiseTheAddressThatRoutesToThePeer(t *testing.T) {
	ip := hostIP(t)
	p := newPeerOn(t, ip)
	st, rec := newWildcardStack(t, Config{AcceptDirectCalls: true})

	target := "sip:bob@" + p.hostPort()
	if got := st.LocalIPFor(target); got != ip {
		t.Errorf("LocalIPFor(%s) = %s, want %s", target, got, ip)
	}
	c, err := st.Dial(DialOptions{Target: target, SDP: testSDP(40000)})
	if err != nil {
		t.Fatal(err)
	}
	checkAdvertised(t, st, p.expect(sip.INVITE), ip)
	expectCall(t, rec, c, Failed, 480) // the peer's default answer

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	offer := BuildSDP(1, 1, MediaDesc{IP: ip, Port: 50000, Codecs: []Codec{{0, "PCMU", 8000}}})
	sess, err := p.dialAt(ctx, net.JoinHostPort(ip, portOf(st)), offer)
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if in.LocalIP != ip {
		t.Errorf("Incoming.LocalIP = %q, want %s (toward the offer's media)", in.LocalIP, ip)
	}
	if err := in.Call.Answer(testSDP(40002)); err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if ct := sess.InviteResponse.Contact(); ct == nil || ct.Address.Host != ip {
		t.Errorf("200 Contact %v, want host %s", ct, ip)
	}
	_ = sess.Ack(ctx)
	_ = sess.Bye(ctx)
}

func TestAFixedAddressIsAdvertisedToEveryone(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	for _, target := range []string{"sip:bob@192.0.2.55", "sip:bob@[::1]:5070", "sip:bob@example.invalid"} {
		if got := st.LocalIPFor(target); got != "127.0.0.1" {
			t.Errorf("LocalIPFor(%s) = %s, want the listening address 127.0.0.1", target, got)
		}
	}
}

func TestTheOutboundProxyIsTheFirstHop(t *testing.T) {
	ip := hostIP(t)
	st, _ := newWildcardStack(t, Config{})
	if err := st.SetAccount(Account{Server: "127.0.0.1", Username: "alice", OutboundProxy: ip + ":5060"}); err != nil {
		t.Fatal(err)
	}
	if got := st.LocalIPFor("sip:bob@127.0.0.1"); got != ip {
		t.Errorf("LocalIPFor = %s, want %s, the address toward the outbound proxy", got, ip)
	}
}

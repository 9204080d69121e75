package sipstack

import (
	"bytes"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// dialReoffering dials bob at p's account with DialOptions.Reoffer recording each
// address it is asked for and offering media there.
func dialReoffering(t *testing.T, st *Stack, p *peer) (*Call, <-chan string) {
	t.Helper()
	acc := Account{Server: p.hostPort(), Username: "alice"}
	if err := st.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	asked := make(chan string, 4)
	c, err := st.Dial(DialOptions{Target: target, SDP: testSDP(40000), Reoffer: func(ip string) []byte {
		asked <- ip
		return reofferSDP(ip)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return c, asked
}

// reofferSDP is the offer a Reoffer test makes for media on ip.
func reofferSDP(ip string) []byte {
	return BuildSDP(2, 1, MediaDesc{IP: ip, Port: 42000, Codecs: []Codec{{0, "PCMU", 8000}}})
}

// A 302 to a target on another network: the INVITE that follows leaves from the
// local address that routes there and offers the media DialOptions.Reoffer opened
// on that address, not the first INVITE's.
func TestRedirectToAnotherNetworkReoffersMedia(t *testing.T) {
	ip := hostIP(t)
	first, second := newPeer(t), newPeerOn(t, ip)
	redirectTo(first, "carol", second.hostPort())
	st, rec := newWildcardStack(t, Config{FollowRedirects: true})
	c, asked := dialReoffering(t, st, first)
	if inv := first.expect(sip.INVITE); !bytes.Equal(inv.Body(), testSDP(40000)) {
		t.Fatalf("the first INVITE offers %q", inv.Body())
	}
	expectCall(t, rec, c, Redirected, 302)
	moved := second.expect(sip.INVITE)
	select {
	case got := <-asked:
		if got != ip {
			t.Errorf("Reoffer asked for media on %s, want %s", got, ip)
		}
	default:
		t.Error("the redirected INVITE left without asking Reoffer for media") // it asks before sending
	}
	if !bytes.Equal(moved.Body(), reofferSDP(ip)) {
		t.Errorf("the redirected INVITE offers\n%s\nwant the media on %s", moved.Body(), ip)
	}
	checkAdvertised(t, st, moved, ip)
	expectCall(t, rec, c, Failed, 480)
}

// A 302 to a target the same local address reaches keeps the offer: Reoffer is
// not asked.
func TestRedirectOnTheSameNetworkKeepsTheOffer(t *testing.T) {
	first, second := newPeer(t), newPeer(t)
	redirectTo(first, "carol", second.hostPort())
	st, rec := newRedirectingStack(t, true)
	c, asked := dialReoffering(t, st, first)
	first.expect(sip.INVITE)
	expectCall(t, rec, c, Redirected, 302)
	if moved := second.expect(sip.INVITE); !bytes.Equal(moved.Body(), testSDP(40000)) {
		t.Errorf("the redirected INVITE offers\n%s\nwant the first offer", moved.Body())
	}
	expectCall(t, rec, c, Failed, 480)
	if len(asked) != 0 {
		t.Errorf("Reoffer asked for media on %s", <-asked)
	}
}

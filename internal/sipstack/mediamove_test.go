package sipstack

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// MoveMedia offers our media at the new address in a re-INVITE of the dialog whose
// Contact names it too; a refused move leaves the call's SDP where it was, and an
// accepted one is kept by the re-INVITEs that follow (a hold).
func TestMoveMediaReoffersTheNewAddress(t *testing.T) {
	p := newPeer(t)
	codes := make(chan int, 4)
	p.set(func(p *peer) { p.onInvite = reInviteAnswerer(testSDP(50000), codes) })
	st, rec := newTestStack(t, nil, nil)
	c := dialPeer(t, st, p, Account{Server: p.hostPort(), Username: "alice"})
	inv := p.expect(sip.INVITE)
	expectCall(t, rec, c, Answered, 200)
	p.expect(sip.ACK)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	codes <- 488
	if _, err := c.MoveMedia(ctx, "127.0.0.9", netip.MustParseAddrPort("127.0.0.9:41000")); !errors.As(err, new(*StatusError)) {
		t.Fatalf("refused move: %v, want a StatusError", err)
	}
	p.expect(sip.INVITE)

	codes <- 200
	answer, err := c.MoveMedia(ctx, "127.0.0.9", netip.MustParseAddrPort("127.0.0.9:41000"))
	if err != nil || len(answer) == 0 {
		t.Fatalf("move: answer %q, %v", answer, err)
	}
	re := p.expect(sip.INVITE)
	if re.CallID().Value() != inv.CallID().Value() || !re.To().Params.Has("tag") {
		t.Fatalf("the move is not in the dialog:\n%s", re)
	}
	md, err := ParseSDP(re.Body())
	if err != nil || md.IP != "127.0.0.9" || md.Port != 41000 || md.Direction != DirSendRecv {
		t.Errorf("offer %+v (%v), want sendrecv media at 127.0.0.9:41000", md, err)
	}
	if got, want := sdpLine(re.Body(), "o="), "o=- 1 2 IN IP4 127.0.0.9"; got != want {
		t.Errorf("origin %q, want %q (same session, version bumped)", got, want)
	}
	if ct := re.Contact(); ct == nil || ct.Address.Host != "127.0.0.9" || ct.Address.User != "alice" {
		t.Errorf("Contact %v, want alice at the new address", re.Contact())
	}
	if ack := p.expect(sip.ACK); ack.CSeq().SeqNo != re.CSeq().SeqNo {
		t.Errorf("ACK CSeq %d, re-INVITE %d", ack.CSeq().SeqNo, re.CSeq().SeqNo)
	}

	codes <- 200
	if _, err := c.Hold(ctx, true); err != nil {
		t.Fatal(err)
	}
	if md, _ := ParseSDP(p.expect(sip.INVITE).Body()); md.IP != "127.0.0.9" || md.Port != 41000 {
		t.Errorf("hold after the move offers %s:%d, want the new address", md.IP, md.Port)
	}
	p.expect(sip.ACK)
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	p.expect(sip.BYE)
	expectCall(t, rec, c, Ended, 0)
	if _, err := c.MoveMedia(ctx, "127.0.0.9", netip.MustParseAddrPort("127.0.0.9:41000")); !errors.Is(err, ErrCallEnded) {
		t.Errorf("move after the end: %v, want ErrCallEnded", err)
	}
}

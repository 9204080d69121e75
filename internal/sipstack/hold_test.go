package sipstack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// reInviteAnswerer is a peer INVITE handler: it answers the first INVITE with
// sdp, and each re-INVITE with the next code of codes (200 with answerSDP
// built from the offer, anything else without body).
func reInviteAnswerer(sdp []byte, codes <-chan int) func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
	return func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
		if !req.To().Params.Has("tag") {
			d, err := p.uasDialogs.ReadInvite(req, tx)
			if err != nil {
				p.t.Errorf("peer ReadInvite: %v", err)
				return
			}
			_ = d.WriteResponse(sip.NewSDPResponseFromRequest(d.InviteRequest, sdp))
			return
		}
		code := <-codes
		if code != 200 {
			_ = tx.Respond(sip.NewResponseFromRequest(req, code, "Refused", nil))
			return
		}
		_ = tx.Respond(sip.NewSDPResponseFromRequest(req, answerSDP(req.Body(), 50000)))
	}
}

// answerSDP answers an offer as a plain peer would: PCMU, the direction
// that mirrors the offer's.
func answerSDP(offer []byte, port int) []byte {
	md, _ := ParseSDP(offer)
	dir := map[string]string{DirSendOnly: DirRecvOnly, DirRecvOnly: DirSendOnly, DirInactive: DirInactive}[md.Direction]
	return BuildSDP(9, 1, MediaDesc{IP: "127.0.0.1", Port: port, Codecs: []Codec{{0, "PCMU", 8000}}, DTMFPT: 101, Direction: dir})
}

// sdpLine returns the first line of body with prefix, or "".
func sdpLine(body []byte, prefix string) string {
	for line := range strings.Lines(string(body)) {
		if line = strings.TrimRight(line, "\r\n"); strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

func direction(t *testing.T, body []byte) string {
	t.Helper()
	md, err := ParseSDP(body)
	if err != nil {
		t.Fatalf("SDP %q: %v", body, err)
	}
	return md.Direction
}

func TestHoldAndResumeOutgoingCall(t *testing.T) {
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

	steps := []struct {
		name    string
		hold    bool
		code    int
		dir     string // in our re-INVITE
		version string // o= version in our re-INVITE
	}{
		{"hold", true, 200, DirSendOnly, "2"},
		{"resume", false, 200, DirSendRecv, "3"},
		{"hold refused", true, 488, DirSendOnly, "4"},
		{"hold after a refusal reuses the version", true, 200, DirSendOnly, "4"},
	}
	for _, s := range steps {
		codes <- s.code
		answer, err := c.Hold(ctx, s.hold)
		re := p.expect(sip.INVITE)
		if re.CallID().Value() != inv.CallID().Value() || !re.To().Params.Has("tag") {
			t.Fatalf("%s: re-INVITE is not in the dialog:\n%s", s.name, re)
		}
		if re.CSeq().SeqNo <= inv.CSeq().SeqNo {
			t.Errorf("%s: CSeq %d not above the INVITE's %d", s.name, re.CSeq().SeqNo, inv.CSeq().SeqNo)
		}
		if got := direction(t, re.Body()); got != s.dir {
			t.Errorf("%s: offer direction %s, want %s", s.name, got, s.dir)
		}
		if got, want := sdpLine(re.Body(), "o="), "o=- 1 "+s.version+" IN IP4 127.0.0.1"; got != want {
			t.Errorf("%s: origin %q, want %q (same session, version bumped)", s.name, got, want)
		}
		if s.code != 200 {
			var se *StatusError
			if !errors.As(err, &se) || se.Code != s.code {
				t.Fatalf("%s: err %v, want StatusError %d", s.name, err, s.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if len(answer) == 0 {
			t.Errorf("%s: no answer SDP returned", s.name)
		}
		ack := p.expect(sip.ACK)
		if ack.CSeq().SeqNo != re.CSeq().SeqNo || ack.Route() == nil && re.Route() != nil {
			t.Errorf("%s: ACK CSeq %d, re-INVITE %d", s.name, ack.CSeq().SeqNo, re.CSeq().SeqNo)
		}
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	p.expect(sip.BYE)
	expectCall(t, rec, c, Ended, 0)
	if _, err := c.Hold(ctx, true); !errors.Is(err, ErrCallEnded) {
		t.Errorf("Hold after the end: %v, want ErrCallEnded", err)
	}
}

// answeredIncoming makes the peer call the stack, answers and waits until the
// stack has the ACK.
func answeredIncoming(t *testing.T, ctx context.Context, p *peer, st *Stack, rec *recorder) (*Call, *sipgo.DialogClientSession) {
	t.Helper()
	sess, err := p.dial(ctx, st, testSDP(50000))
	if err != nil {
		t.Fatal(err)
	}
	in := rec.incoming()
	if err := in.Call.Answer(testSDP(40000)); err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	for in.Call.getState() != stateEstablished {
		select {
		case <-ctx.Done():
			t.Fatal("the stack never took the ACK")
		case <-time.After(time.Millisecond):
		}
	}
	return in.Call, sess
}

// peerReInvite sends a re-INVITE from the peer's side with body (nil: none)
// and, on a 2xx, the ACK with ackBody.
func peerReInvite(t *testing.T, ctx context.Context, sess *sipgo.DialogClientSession, body, ackBody []byte) *sip.Response {
	t.Helper()
	req := sip.NewRequest(sip.INVITE, *sess.InviteResponse.Contact().Address.Clone())
	if body != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	req.SetBody(body)
	res, err := sess.Do(ctx, req)
	if err != nil {
		t.Fatalf("peer re-INVITE: %v", err)
	}
	if res.IsSuccess() {
		ack := sip.NewRequest(sip.ACK, *sess.InviteResponse.Contact().Address.Clone())
		if ackBody != nil {
			ack.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		}
		ack.SetBody(ackBody)
		if err := sess.WriteRequest(ack); err != nil {
			t.Fatalf("peer ACK: %v", err)
		}
	}
	return res
}

func peerSDPDir(dir string, codecs ...Codec) []byte {
	return BuildSDP(5, 1, MediaDesc{IP: "127.0.0.1", Port: 50002, Codecs: codecs, DTMFPT: 101, Direction: dir})
}

func TestRemoteHoldIncomingCall(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)
	pcmu := Codec{0, "PCMU", 8000}

	// The peer holds us: we answer recvonly, version 2, and report it.
	res := peerReInvite(t, ctx, sess, peerSDPDir(DirSendOnly, pcmu), nil)
	if res.StatusCode != 200 || direction(t, res.Body()) != DirRecvOnly {
		t.Fatalf("answer to a=sendonly: %d %q", res.StatusCode, res.Body())
	}
	if got := sdpLine(res.Body(), "o="); got != "o=- 1 2 IN IP4 127.0.0.1" {
		t.Errorf("origin %q, want version 2", got)
	}
	ev := expectCall(t, rec, c, Updated, 0)
	if !ev.RemoteHeld || ev.Kind.Terminal() || direction(t, ev.SDP) != DirSendOnly {
		t.Errorf("updated event %+v", ev)
	}

	// We hold too while held: our offer is inactive.
	p.set(func(p *peer) {
		p.onInvite = func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
			_ = tx.Respond(sip.NewSDPResponseFromRequest(req, answerSDP(req.Body(), 50002)))
		}
	})
	if _, err := c.Hold(ctx, true); err != nil {
		t.Fatal(err)
	}
	if got := direction(t, p.expect(sip.INVITE).Body()); got != DirInactive {
		t.Errorf("our hold while held: %s, want inactive", got)
	}

	// The peer resumes while we still hold: our answer stays sendonly.
	res = peerReInvite(t, ctx, sess, peerSDPDir(DirSendRecv, pcmu), nil)
	if res.StatusCode != 200 || direction(t, res.Body()) != DirSendOnly {
		t.Fatalf("answer to a=sendrecv while we hold: %d %q", res.StatusCode, res.Body())
	}
	if ev := expectCall(t, rec, c, Updated, 0); ev.RemoteHeld {
		t.Errorf("still remote-held after a=sendrecv: %+v", ev)
	}

	// An offer with nothing we take is refused and changes nothing.
	res = peerReInvite(t, ctx, sess, peerSDPDir(DirSendOnly, Codec{18, "G729", 8000}), nil)
	if res.StatusCode != 488 {
		t.Errorf("G729-only re-INVITE: %d, want 488", res.StatusCode)
	}

	// A re-INVITE without SDP: our 200 offers our current SDP, the ACK answers.
	res = peerReInvite(t, ctx, sess, nil, peerSDPDir(DirInactive, pcmu))
	if res.StatusCode != 200 || direction(t, res.Body()) != DirSendOnly {
		t.Fatalf("offer in 200: %d %q", res.StatusCode, res.Body())
	}
	if ev := expectCall(t, rec, c, Updated, 0); ev.Reason != "ACK" || direction(t, ev.SDP) != DirInactive {
		t.Errorf("answer from the ACK: %+v", ev)
	}

	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	expectCall(t, rec, c, Ended, 0)
}

func TestReInviteForUnknownDialog(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	expectCall(t, rec, c, Ended, 0)
	if res := peerReInvite(t, ctx, sess, peerSDPDir(DirSendOnly, Codec{0, "PCMU", 8000}), nil); res.StatusCode != 481 {
		t.Errorf("re-INVITE after BYE: %d, want 481", res.StatusCode)
	}
}

func TestAnswerDirection(t *testing.T) {
	tests := []struct {
		held  bool   // we hold
		offer string // the peer's offered direction
		ip    string
		want  string
	}{
		{false, DirSendRecv, "127.0.0.1", DirSendRecv},
		{false, DirSendOnly, "127.0.0.1", DirRecvOnly},
		{false, DirInactive, "127.0.0.1", DirInactive},
		{false, DirRecvOnly, "127.0.0.1", DirSendOnly},
		{false, DirSendRecv, "0.0.0.0", DirRecvOnly},
		{true, DirSendRecv, "127.0.0.1", DirSendOnly},
		{true, DirSendOnly, "127.0.0.1", DirInactive},
		{true, DirRecvOnly, "127.0.0.1", DirSendOnly},
		{true, DirInactive, "127.0.0.1", DirInactive},
	}
	for _, tt := range tests {
		got := answerDirection(holdDirection(tt.held, false), MediaDesc{IP: tt.ip, Direction: tt.offer})
		if got != tt.want {
			t.Errorf("held=%v offer %s at %s: answer %s, want %s", tt.held, tt.offer, tt.ip, got, tt.want)
		}
	}
}

func TestSDPSessionVersions(t *testing.T) {
	var s sdpSession
	s.setLocal(testSDP(40000))
	s.setRemote(peerSDPDir(DirSendRecv, Codec{0, "PCMU", 8000}))
	// The same sendrecv offer twice changes nothing: the version stays.
	a1, err := s.answer(peerSDPDir(DirSendRecv, Codec{0, "PCMU", 8000}))
	if err != nil {
		t.Fatal(err)
	}
	if got := sdpLine(a1, "o="); got != "o=- 1 1 IN IP4 127.0.0.1" {
		t.Errorf("unchanged answer %q, want version 1", got)
	}
	a2, _ := s.answer(peerSDPDir(DirSendOnly, Codec{0, "PCMU", 8000}))
	if got := sdpLine(a2, "o="); got != "o=- 1 2 IN IP4 127.0.0.1" || !s.remoteHeld {
		t.Errorf("hold answer %q remoteHeld=%v", got, s.remoteHeld)
	}
	// A peer using another payload type for PCMU gets its own number back.
	a3, _ := s.answer(peerSDPDir(DirSendOnly, Codec{96, "PCMU", 8000}))
	if md, _ := ParseSDP(a3); len(md.Codecs) != 1 || md.Codecs[0].PT != 96 {
		t.Errorf("answer codecs %+v", md.Codecs)
	}
	var late sdpSession
	if _, _, err := late.offer(true); !errors.Is(err, ErrCallState) {
		t.Errorf("offer with no SDP of ours: %v", err)
	}
}

func FuzzAnswerReInvite(f *testing.F) {
	f.Add(peerSDPDir(DirSendOnly, Codec{0, "PCMU", 8000}))
	f.Add([]byte("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 0 RTP/AVP 0\r\na=inactive\r\n"))
	f.Add([]byte("v=0\nm=audio 9 RTP/AVP 0 8\nc=IN IP6 ::\na=recvonly\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, offer []byte) {
		var s sdpSession
		s.setLocal(testSDP(40000))
		body, err := s.answer(offer)
		if err != nil {
			return
		}
		md, err := ParseSDP(body)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, body)
		}
		wantPort := 40000
		if peer, err := ParseSDP(offer); err == nil && peer.Port == 0 {
			wantPort = 0 // a stream the offer disables stays disabled (RFC 3264 section 6)
		}
		if len(md.Codecs) == 0 || md.Port != wantPort {
			t.Fatalf("answer %+v", md)
		}
	})
}

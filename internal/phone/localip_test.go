package phone

import (
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Each call takes its own local address from the SIP stack: the one that routes to
// where its INVITE goes (outgoing) or to the caller's media (incoming). RTP binds to it
// and the SDP says it.

func TestOutgoingCallUsesTheAddressThatRoutesToItsTarget(t *testing.T) {
	r := newRig(t, nil)
	r.sip.localIPs = map[string]string{"sip:bob@127.0.0.1:5060": "192.0.2.10"}
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	if s := r.lastStream(); s.localIP != "192.0.2.10" {
		t.Errorf("RTP opened on %q, want 192.0.2.10", s.localIP)
	}
	if got := sdpIP(t, d.offer); got != "192.0.2.10" {
		t.Errorf("offer's address %q, want 192.0.2.10", got)
	}
}

func TestIncomingCallUsesTheAddressTheStackChose(t *testing.T) {
	r := newRig(t, nil)
	d := &fakeDialog{id: "sip-in-1"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@198.51.100.1", SDP: peerSDP(31000, pcmu), LocalIP: "198.51.100.7"})
	})
	cs := r.expectStates(api.CallIncoming, api.CallRinging)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	r.expectStates(api.CallActive)
	if s := r.lastStream(); s.localIP != "198.51.100.7" {
		t.Errorf("RTP opened on %q, want 198.51.100.7", s.localIP)
	}
	if got := sdpIP(t, d.answer); got != "198.51.100.7" {
		t.Errorf("answer's address %q, want 198.51.100.7", got)
	}
	// Before the caller's first RTP, the engine's RTP port sent toward the offer's
	// media address (peerSDP: 127.0.0.1), opening a NAT's mapping.
	s := r.lastStream()
	s.mu.Lock()
	punched := s.punched
	s.mu.Unlock()
	if len(punched) != 1 || punched[0] != "127.0.0.1:31000" {
		t.Errorf("punched %v, want the offer's 127.0.0.1:31000 once", punched)
	}
}

// sdpIP is the connection address of an SDP body.
func sdpIP(t *testing.T, body []byte) string {
	t.Helper()
	desc, err := sipstack.ParseSDP(body)
	if err != nil {
		t.Fatalf("SDP %q: %v", body, err)
	}
	return desc.IP
}

// An outgoing call punches toward the peer's media address as soon as early media or
// the answer names it, once per address: a NAT in front of us then lets the peer's
// first RTP in.
func TestOutgoingCallPunchesTowardTheAnswer(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	punched := func() []string {
		s := r.lastStream()
		s.mu.Lock()
		defer s.mu.Unlock()
		return slices.Clone(s.punched)
	}
	if got := punched(); len(got) != 0 {
		t.Fatalf("punched %v before the peer named its media", got)
	}
	r.sipEvent(d.id, inEarlyMedia, 183, peerSDP(30000, pcmu))
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu)) // the same address
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30002, pcmu)) // a forking proxy's other 2xx: nothing new
	if got := punched(); !slices.Equal(got, []string{"127.0.0.1:30000"}) {
		t.Errorf("punched %v, want the early media's 127.0.0.1:30000 once", got)
	}
}

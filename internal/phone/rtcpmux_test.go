package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// RTCP goes on the RTP port when both SDPs say a=rtcp-mux (RFC 5761): our
// offers propose it, our answers accept it when offered, and the stream muxes
// only when both sides did.

// muxSDP is a peer's SDP with PCMU that says a=rtcp-mux or not.
func muxSDP(port int, mux bool) []byte {
	return sipstack.BuildSDP(7, 1, sipstack.MediaDesc{IP: "127.0.0.1", Port: port, Codecs: []sipstack.Codec{pcmu},
		DTMFPT: 101, Direction: "sendrecv", RTCPMux: mux})
}

func TestOutgoingCallOffersRTCPMux(t *testing.T) {
	for _, accepted := range []bool{true, false} {
		r := newRig(t, nil)
		r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
		d := r.sip.lastDial(t)
		if offer, err := sipstack.ParseSDP(d.offer); err != nil || !offer.RTCPMux {
			t.Fatalf("offer without a=rtcp-mux (%v):\n%s", err, d.offer)
		}
		r.expectStates(api.CallDialing)
		r.sipEvent(d.id, inAnswered, 200, muxSDP(30000, accepted))
		r.expectStates(api.CallActive)
		if p := r.lastStream().started(); len(p) != 1 || p[0].RTCPMux != accepted {
			t.Errorf("answer with rtcp-mux %v: stream started with %+v", accepted, p)
		}
	}
}

func TestIncomingCallAcceptsRTCPMuxWhenOffered(t *testing.T) {
	for _, offered := range []bool{true, false} {
		r := newRig(t, nil)
		d := &fakeDialog{id: "sip-in"}
		r.p.post(func() { r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: muxSDP(31000, offered)}) })
		cs := r.expectStates(api.CallIncoming, api.CallRinging)
		r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
		r.expectStates(api.CallActive)
		if answer, err := sipstack.ParseSDP(d.answer); err != nil || answer.RTCPMux != offered {
			t.Errorf("offer with rtcp-mux %v answered with %v (%v)", offered, answer.RTCPMux, err)
		}
		if p := r.lastStream().started(); len(p) != 1 || p[0].RTCPMux != offered {
			t.Errorf("offer with rtcp-mux %v: stream started with %+v", offered, p)
		}
		// A re-offer that adds rtcp-mux to a call that began without is answered
		// without it (sipstack), and the stream does not mux either.
		r.p.post(func() { r.p.onRemoteUpdate(d.id, muxSDP(31002, true), false) })
		r.sync()
		if p := r.lastStream().started(); p[len(p)-1].RTCPMux != offered {
			t.Errorf("after a re-offer with rtcp-mux, a call that began with %v muxes: %+v", offered, p[len(p)-1])
		}
	}
}

// A peer whose SDP names its RTCP port with a=rtcp (RFC 3605) gets our RTCP there,
// not on its RTP port + 1; without a=rtcp, on the next port; a re-offer that moves
// only its RTCP moves ours too.
func TestPeersRTCPAttributeIsWhereRTCPGoes(t *testing.T) {
	withRTCP := func(port, rtcpPort int, rtcpIP string) []byte {
		return sipstack.BuildSDP(7, 1, sipstack.MediaDesc{IP: "127.0.0.1", Port: port, Codecs: []sipstack.Codec{pcmu},
			DTMFPT: 101, Direction: "sendrecv", RTCPPort: rtcpPort, RTCPIP: rtcpIP})
	}
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inAnswered, 200, withRTCP(30000, 40007, ""))
	r.expectStates(api.CallActive)
	p := r.lastStream().started()
	if got := p[len(p)-1].RemoteRTCP; got == nil || got.String() != "127.0.0.1:40007" {
		t.Errorf("a=rtcp:40007: RTCP goes to %v", got)
	}
	r.p.post(func() { r.p.onRemoteUpdate(d.id, withRTCP(30000, 40009, "127.0.0.2"), false) })
	r.sync()
	p = r.lastStream().started()
	if got := p[len(p)-1].RemoteRTCP; got == nil || got.String() != "127.0.0.2:40009" {
		t.Errorf("a=rtcp:40009 IN IP4 127.0.0.2: RTCP goes to %v", got)
	}
	r.p.post(func() { r.p.onRemoteUpdate(d.id, muxSDP(30002, false), false) })
	r.sync()
	p = r.lastStream().started()
	if got := p[len(p)-1].RemoteRTCP; got == nil || got.String() != "127.0.0.1:30003" {
		t.Errorf("without a=rtcp: RTCP goes to %v, want the next port", got)
	}
}

package phone

import (
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Early media or an answer to our offer that leaves the call no media ends it
// with a hang-up (CANCEL or BYE in the stack) and cause incompatible_media,
// never reported early or active: no common codec, no SDP in the 2xx, a
// disabled stream, DTLS-SRTP.
func TestUnusableAnswerEndsTheCall(t *testing.T) {
	dtls := []byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 30000 UDP/TLS/RTP/SAVPF 0\r\na=fingerprint:sha-256 AB:CD\r\n")
	for _, tc := range []struct {
		name string
		in   input
		sdp  []byte
	}{
		{"183 in no common codec", inEarlyMedia, peerSDP(30000, g729)},
		{"200 in no common codec", inAnswered, peerSDP(30000, g729)},
		{"200 without SDP", inAnswered, nil},
		{"200 with the stream disabled", inAnswered, peerSDP(0, pcmu)},
		{"200 in DTLS-SRTP", inAnswered, dtls},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
			d := r.sip.lastDial(t)
			r.expectStates(api.CallDialing)
			r.sipEvent(d.id, tc.in, 200, tc.sdp)
			cs := r.expectStates(api.CallEnded)
			if cs.Cause == nil || cs.Cause.Kind != api.CauseIncompatibleMedia {
				t.Fatalf("cause %+v, want %s", cs.Cause, api.CauseIncompatibleMedia)
			}
			waitFor(t, func() bool { return slices.Contains(d.did(), "hangup") })
		})
	}
}

// An INVITE without SDP rings; our 200 carries an offer of every codec, and
// the media starts from the answer in the ACK. An unusable answer ends the
// call with a hang-up (a BYE) and cause incompatible_media.
func TestDelayedOffer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer []byte
		codec  string // "" when the call must end
	}{
		{"answered in PCMA", peerSDP(31000, pcma), "PCMA"},
		{"answered in no common codec", peerSDP(31000, g729), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil)
			d := &fakeDialog{id: "late"}
			r.p.post(func() { r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1"}) })
			cs := r.expectStates(api.CallIncoming, api.CallRinging)
			r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
			r.expectStates(api.CallActive)
			offer, err := sipstack.ParseSDP(d.answer)
			if err != nil || len(offer.Codecs) < 2 || offer.DTMFPT == 0 {
				t.Fatalf("our 200 offers %+v, %v: want every codec and telephone-event", offer, err)
			}
			r.p.post(func() { r.p.onAnswerInAck("late", tc.answer, false) })
			r.sync()
			if tc.codec == "" {
				if cs := r.expectStates(api.CallEnded); cs.Cause == nil || cs.Cause.Kind != api.CauseIncompatibleMedia {
					t.Fatalf("cause %+v, want %s", cs.Cause, api.CauseIncompatibleMedia)
				}
				waitFor(t, func() bool { return slices.Contains(d.did(), "hangup") })
				return
			}
			if cs := r.expectStates(api.CallActive); cs.Codec != tc.codec {
				t.Fatalf("codec %q, want %s", cs.Codec, tc.codec)
			}
			if params := r.lastStream().started(); len(params) != 1 || params[0].Remote.Port != 31000 {
				t.Fatalf("stream started %+v, want once toward the answer's port 31000", params)
			}
		})
	}
}

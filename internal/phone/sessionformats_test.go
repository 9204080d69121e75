package phone

import (
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Our offers carry each codec's fmtp and telephone-event at the rates their
// codecs run (RFC 4733 section 2.1), and at 8000 beside Opus too, for the
// peers that pair only that one with every codec.
func TestLocalDescFormats(t *testing.T) {
	s := &fakeStream{port: 40000, localIP: "127.0.0.1"}
	offer := localDesc("127.0.0.1", s, offerCodecs([]string{"opus", "g722", "pcmu"}), dtmfPayloadType, true, 0)
	if len(offer.Codecs) != 3 || offer.Codecs[0] != (sipstack.Codec{PT: 111, Name: "opus", Rate: 48000}) || offer.Codecs[1] != (sipstack.Codec{PT: 9, Name: "G722", Rate: 8000}) {
		t.Errorf("offered codecs %v", offer.Codecs)
	}
	if offer.DTMFPT != dtmfPayloadType || offer.DTMF48PT != dtmf48PayloadType {
		t.Errorf("offer: telephone-event %d and %d at 48 kHz", offer.DTMFPT, offer.DTMF48PT)
	}
	if offer.Fmtp[111] == "" || len(offer.Fmtp) != 1 {
		t.Errorf("offer fmtp %v, want Opus's", offer.Fmtp)
	}

	only := localDesc("127.0.0.1", s, offerCodecs([]string{"opus"}), dtmfPayloadType, true, 0)
	if only.DTMFPT != dtmfPayloadType || only.DTMF48PT != dtmf48PayloadType {
		t.Errorf("offer of Opus alone: telephone-event %d and %d at 48 kHz, want both", only.DTMFPT, only.DTMF48PT)
	}
	narrow := localDesc("127.0.0.1", s, []sipstack.Codec{{PT: 0, Name: "PCMU", Rate: 8000}}, 101, true, 0)
	if narrow.DTMFPT != 101 || narrow.DTMF48PT != 0 || narrow.Fmtp != nil {
		t.Errorf("PCMU answer: telephone-event %d, %d at 48 kHz, fmtp %v", narrow.DTMFPT, narrow.DTMF48PT, narrow.Fmtp)
	}
}

// A re-INVITE that offers another codec of ours moves the call to it: the
// stream starts again with a new codec, set up for the peer's fmtp (RFC 3264
// section 8.3.2, a change of codec in a new offer).
func TestReInviteChangesTheCodec(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Account.Codecs = []string{"opus", "G722", "PCMU"} })
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	offer, err := sipstack.ParseSDP(d.offer)
	if err != nil {
		t.Fatal(err)
	}
	if len(offer.Codecs) != 3 || offer.Codecs[0].Name != "opus" || offer.Codecs[1].Name != "G722" {
		t.Fatalf("offered %v, want the account's order", offer.Codecs)
	}
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.expectStates(api.CallActive)

	g722 := sipstack.Codec{PT: 9, Name: "G722", Rate: 8000}
	r.p.post(func() { r.p.onRemoteUpdate(d.id, peerSDP(30000, g722), false) })
	r.sync()
	s := r.lastStream()
	s.mu.Lock()
	params := slices.Clone(s.params)
	s.mu.Unlock()
	if len(params) != 2 {
		t.Fatalf("the stream started %d times, want again for the new codec", len(params))
	}
	if c := params[0].Codec; c.Name() != "PCMU" || c.SampleRate() != audio.SampleRate {
		t.Errorf("first codec %s at %d Hz, want PCMU adapted to the engine's rate", c.Name(), c.SampleRate())
	}
	if c := params[1]; c.Codec.Name() != "G722" || c.PayloadType != 9 || c.Codec.ClockRate() != 8000 {
		t.Errorf("after the re-INVITE %s on %d at %d Hz, want G722 on 9 at 8000", c.Codec.Name(), c.PayloadType, c.Codec.ClockRate())
	}
}

package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/sipstack"
)

// Our offers carry each codec's fmtp and telephone-event at the rates their
// codecs run (RFC 4733 section 2.1), and at 8000 beside Opus too, for the
// peers that pair only that one with every codec.
func TestLocalDescFormats(t *testing.T) {
	s := &fakeStream{port: 40000, localIP: "127.0.0.1"}
	offer := localDesc("127.0.0.1", s, offerCodecs([]string{"opus", "g722", "pcmu"}), dtmfPayloadType, true)
	if len(offer.Codecs) != 3 || offer.Codecs[0] != (sipstack.Codec{PT: 111, Name: "opus", Rate: 48000}) || offer.Codecs[1] != (sipstack.Codec{PT: 9, Name: "G722", Rate: 8000}) {
		t.Errorf("offered codecs %v", offer.Codecs)
	}
	if offer.DTMFPT != dtmfPayloadType || offer.DTMF48PT != dtmf48PayloadType {
		t.Errorf("offer: telephone-event %d and %d at 48 kHz", offer.DTMFPT, offer.DTMF48PT)
	}
	if offer.Fmtp[111] == "" || len(offer.Fmtp) != 1 {
		t.Errorf("offer fmtp %v, want Opus's", offer.Fmtp)
	}

	only := localDesc("127.0.0.1", s, offerCodecs([]string{"opus"}), dtmfPayloadType, true)
	if only.DTMFPT != dtmfPayloadType || only.DTMF48PT != dtmf48PayloadType {
		t.Errorf("offer of Opus alone: telephone-event %d and %d at 48 kHz, want both", only.DTMFPT, only.DTMF48PT)
	}
	narrow := localDesc("127.0.0.1", s, []sipstack.Codec{{PT: 0, Name: "PCMU", Rate: 8000}}, 101, true)
	if narrow.DTMFPT != 101 || narrow.DTMF48PT != 0 || narrow.Fmtp != nil {
		t.Errorf("PCMU answer: telephone-event %d, %d at 48 kHz, fmtp %v", narrow.DTMFPT, narrow.DTMF48PT, narrow.Fmtp)
	}
}

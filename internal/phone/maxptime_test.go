package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// TestOfferNamesTheLongestPacketsWePlay: beside a=ptime our offer says
// a=maxptime:60, the longest packets the stream plays (RFC 4566 §6), so that
// a peer asked for long packets does not send longer ones than we take.
func TestOfferNamesTheLongestPacketsWePlay(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	offer, err := sipstack.ParseSDP(r.sip.lastDial(t).offer)
	if err != nil {
		t.Fatal(err)
	}
	if offer.MaxPtime != 60 {
		t.Errorf("our offer's a=maxptime is %d ms, want 60", offer.MaxPtime)
	}
}

package opus

import "testing"

// The peer's fmtp (RFC 7587 section 6.1) is read leniently: known parameters
// with values in range, the rest ignored.
func TestParseFmtp(t *testing.T) {
	got := ParseFmtp("maxplaybackrate=16000; sprop-maxcapturerate=16000;stereo=1;useinbandfec=1;usedtx=1;maxaveragebitrate=20000;x=y")
	want := Params{MaxAverageBitrate: 20000, InbandFEC: true, DTX: true, Stereo: true, MaxPlaybackRate: 16000}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if p := ParseFmtp("maxaveragebitrate=1;useinbandfec=x"); p != (Params{}) {
		t.Errorf("out-of-range values kept: %+v", p)
	}
	if bw := (Params{MaxPlaybackRate: 8000}).bandwidth(); bw != bandwidthNarrow {
		t.Errorf("maxplaybackrate 8000 gives bandwidth %d", bw)
	}
}

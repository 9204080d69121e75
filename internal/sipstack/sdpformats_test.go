package sipstack

import (
	"strings"
	"testing"
)

// wideOffer is an offer of Opus (with its fmtp and telephone-event/48000),
// G.722 and PCMU with telephone-event/8000, as baresip and browsers send.
const wideOffer = "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n" +
	"m=audio 5000 RTP/AVP 96 9 0 97 98\r\n" +
	"a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1;maxaveragebitrate=24000\r\n" +
	"a=rtpmap:97 telephone-event/48000\r\na=fmtp:97 0-15\r\n" +
	"a=rtpmap:98 telephone-event/8000\r\na=fmtp:98 0-15\r\n"

// Opus is named with two channels (RFC 7587 section 7), its fmtp rendered
// under its payload type, and telephone-event offered at 48 kHz beside it.
func TestBuildSDPWidebandFormats(t *testing.T) {
	body := string(BuildSDP(1, 1, MediaDesc{IP: "127.0.0.1", Port: 4000,
		Codecs: []Codec{{111, "opus", 48000}, {9, "G722", 8000}, {0, "PCMU", 8000}},
		DTMFPT: 101, DTMF48PT: 102, Fmtp: map[uint8]string{111: "useinbandfec=1"}}))
	for _, want := range []string{
		"m=audio 4000 RTP/AVP 111 9 0 101 102\r\n",
		"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\n",
		"a=rtpmap:9 G722/8000\r\n",
		"a=rtpmap:101 telephone-event/8000\r\n",
		"a=rtpmap:102 telephone-event/48000\r\na=fmtp:102 0-16\r\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("SDP lacks %q:\n%s", want, body)
		}
	}
}

// The peer's fmtp of each codec and its telephone-event/48000 are read; a
// round trip keeps them.
func TestParseSDPWidebandFormats(t *testing.T) {
	md, err := ParseSDP([]byte(wideOffer))
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Codecs) != 3 || md.Codecs[0] != (Codec{96, "opus", 48000}) || md.Codecs[1] != (Codec{9, "G722", 8000}) {
		t.Errorf("codecs %v", md.Codecs)
	}
	if md.DTMFPT != 98 || md.DTMF48PT != 97 {
		t.Errorf("telephone-event %d at 8 kHz, %d at 48 kHz; want 98 and 97", md.DTMFPT, md.DTMF48PT)
	}
	if f := md.Fmtp[96]; f != "useinbandfec=1;maxaveragebitrate=24000" || len(md.Fmtp) != 1 {
		t.Errorf("fmtp %v", md.Fmtp)
	}
	again, err := ParseSDP(BuildSDP(1, 1, md))
	if err != nil || again.DTMF48PT != 97 || again.Fmtp[96] != md.Fmtp[96] {
		t.Errorf("round trip: %+v, %v", again, err)
	}
}

// The telephone-event negotiated goes with the codec's clock rate (RFC 4733
// section 2.1): 48 kHz beside Opus, 8 kHz beside G.722 and G.711.
func TestNegotiateTelephoneEventRate(t *testing.T) {
	md, err := ParseSDP([]byte(wideOffer))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefs []string
		pt    uint8
		dtmf  uint8
	}{
		{[]string{"opus", "PCMU"}, 96, 97},
		{[]string{"G722"}, 9, 98},
		{[]string{"PCMA", "PCMU"}, 0, 98},
	} {
		c, dtmf, err := Negotiate(md, tc.prefs)
		if err != nil || c.PT != tc.pt || dtmf != tc.dtmf {
			t.Errorf("%v: %v, telephone-event %d, %v; want PT %d with %d", tc.prefs, c, dtmf, err, tc.pt, tc.dtmf)
		}
	}
	// A peer with telephone-event/8000 only beside Opus (baresip 1.0) gets that.
	md.DTMF48PT = 0
	if c, dtmf, err := Negotiate(md, []string{"opus"}); err != nil || c.PT != 96 || dtmf != 98 {
		t.Errorf("Opus beside telephone-event/8000 only: %v, telephone-event %d, %v; want 96 with 98", c, dtmf, err)
	}
}

// A re-INVITE's answer keeps our format parameters, under the peer's payload
// type, and both telephone-events where both sides have them.
func TestAnswerKeepsOurFormats(t *testing.T) {
	var s sdpSession
	s.setLocal(BuildSDP(7, 1, MediaDesc{IP: "127.0.0.1", Port: 4000,
		Codecs: []Codec{{111, "opus", 48000}, {0, "PCMU", 8000}}, DTMFPT: 101, DTMF48PT: 102,
		Fmtp: map[uint8]string{111: "stereo=0;useinbandfec=1"}}))
	body, err := s.answer([]byte(wideOffer))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"m=audio 4000 RTP/AVP 96 0 98 97\r\n",
		"a=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=0;useinbandfec=1\r\n",
		"a=rtpmap:97 telephone-event/48000\r\n",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("answer lacks %q:\n%s", want, body)
		}
	}
}

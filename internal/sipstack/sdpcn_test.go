package sipstack

import (
	"strings"
	"testing"
)

// TestSDPComfortNoise: CN/8000 (RFC 3389) is read as the stream's comfort
// noise, by rtpmap or by its static payload type 13 alone, never as a codec;
// CN at another rate is not it; ours is written only when set.
func TestSDPComfortNoise(t *testing.T) {
	const head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	for _, c := range []struct {
		media string
		cn    uint8
	}{
		{"m=audio 4000 RTP/AVP 0 13\r\n", 13},
		{"m=audio 4000 RTP/AVP 0 13\r\na=rtpmap:13 CN/8000\r\n", 13},
		{"m=audio 4000 RTP/AVP 9 0 118\r\na=rtpmap:118 cn/8000\r\n", 118},
		{"m=audio 4000 RTP/AVP 0 119\r\na=rtpmap:119 CN/16000\r\n", 0},
		{"m=audio 4000 RTP/AVP 0 8\r\n", 0},
	} {
		md, err := ParseSDP([]byte(head + c.media))
		if err != nil {
			t.Fatal(err)
		}
		if md.CNPT != c.cn {
			t.Errorf("%q: CN %d, want %d", c.media, md.CNPT, c.cn)
		}
		for _, codec := range md.Codecs {
			if strings.EqualFold(codec.Name, "CN") {
				t.Errorf("%q: CN taken for a codec: %+v", c.media, md.Codecs)
			}
		}
	}
	pcmu := MediaDesc{IP: "127.0.0.1", Port: 4000, Codecs: []Codec{{0, "PCMU", 8000}}}
	if b := string(BuildSDP(1, 1, pcmu)); strings.Contains(b, " 13") || strings.Contains(b, "CN/") {
		t.Errorf("SDP without CN names it:\n%s", b)
	}
	pcmu.CNPT = 13
	b := string(BuildSDP(1, 1, pcmu))
	if !strings.Contains(b, "m=audio 4000 RTP/AVP 0 13\r\n") || !strings.Contains(b, "a=rtpmap:13 CN/8000\r\n") {
		t.Errorf("SDP with CN:\n%s", b)
	}
	if md, _ := ParseSDP([]byte(b)); md.CNPT != 13 || len(md.Codecs) != 1 {
		t.Errorf("round trip: CN %d, codecs %+v", md.CNPT, md.Codecs)
	}
}

// TestReInviteAnswerKeepsComfortNoiseOnlyWhereBothHaveIt: our answer to a
// re-INVITE names CN when our first SDP and the offer both did, and never
// when either did not (RFC 3389 section 4).
func TestReInviteAnswerKeepsComfortNoiseOnlyWhereBothHaveIt(t *testing.T) {
	const head = "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	withCN, without := head+"m=audio 5000 RTP/AVP 0 13\r\n", head+"m=audio 5000 RTP/AVP 0\r\n"
	for _, c := range []struct {
		ours  MediaDesc
		offer string
		want  bool
	}{
		{MediaDesc{CNPT: 13}, withCN, true},
		{MediaDesc{CNPT: 13}, without, false},
		{MediaDesc{}, withCN, false},
	} {
		c.ours.IP, c.ours.Port, c.ours.Codecs = "127.0.0.1", 4000, []Codec{{0, "PCMU", 8000}}
		var s sdpSession
		s.setLocal(BuildSDP(1, 1, c.ours))
		answer, err := s.answer([]byte(c.offer))
		if err != nil {
			t.Fatal(err)
		}
		md, _ := ParseSDP(answer)
		if got := md.CNPT != 0; got != c.want {
			t.Errorf("ours CN %d, offer %q: answer CN %d", c.ours.CNPT, c.offer, md.CNPT)
		}
	}
}

package sipstack

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The audio stream used is the first one we can speak; every m= line is kept
// in order, and an answer refuses the others with port 0 (RFC 3264 section 6).
func TestSDPLayout(t *testing.T) {
	offer := "v=0\r\nc=IN IP4 192.0.2.1\r\n" +
		"m=video 9000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
		"m=audio 9002 UDP/TLS/RTP/SAVPF 8\r\na=fingerprint:sha-256 AB:CD\r\n" +
		"m=audio 9004 RTP/AVP 0\r\n" +
		"m=audio 9006 RTP/AVP 8\r\n"
	md, layout, err := ParseSDPLayout([]byte(offer))
	if err != nil {
		t.Fatal(err)
	}
	if md.Port != 9004 || md.DTLS || layout.Index != 2 {
		t.Fatalf("picked %+v at %d, want the plain stream at 9004, index 2", md, layout.Index)
	}
	want := []MLine{{"video", "RTP/AVP", "96"}, {"audio", "UDP/TLS/RTP/SAVPF", "8"}, {"audio", "RTP/AVP", "0"}, {"audio", "RTP/AVP", "8"}}
	if !reflect.DeepEqual(layout.Lines, want) {
		t.Fatalf("lines %+v, want %+v", layout.Lines, want)
	}

	answer := string(BuildSDPLayout(1, 1, MediaDesc{IP: "127.0.0.1", Port: 40000, Codecs: []Codec{{0, "PCMU", 8000}}}, layout))
	var mlines []string
	for line := range strings.Lines(answer) {
		if strings.HasPrefix(line, "m=") {
			mlines = append(mlines, strings.TrimSpace(line))
		}
	}
	wantM := []string{"m=video 0 RTP/AVP 96", "m=audio 0 UDP/TLS/RTP/SAVPF 8", "m=audio 40000 RTP/AVP 0", "m=audio 0 RTP/AVP 8"}
	if !reflect.DeepEqual(mlines, wantM) {
		t.Fatalf("answer m= lines %q, want %q\n%s", mlines, wantM, answer)
	}
	if again, l, err := ParseSDPLayout([]byte(answer)); err != nil || again.Port != 40000 || l.Index != 2 {
		t.Fatalf("our answer parses as %+v at %d, %v", again, l.Index, err)
	}
}

// Profiles: SRTP with or without feedback is SAVP and is rebuilt as offered;
// DTLS-SRTP is marked; with no usable stream the first audio one is returned.
func TestSDPProfiles(t *testing.T) {
	for _, tc := range []struct {
		proto                string
		savp, feedback, dtls bool
	}{
		{"RTP/AVP", false, false, false},
		{"RTP/AVPF", false, true, false},
		{"RTP/SAVP", true, false, false},
		{"RTP/SAVPF", true, true, false},
		{"UDP/TLS/RTP/SAVP", true, false, true},
		{"UDP/TLS/RTP/SAVPF", true, true, true},
	} {
		md, err := ParseSDP([]byte("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 9000 " + tc.proto + " 0\r\n"))
		if err != nil || md.SAVP != tc.savp || md.Feedback != tc.feedback || md.DTLS != tc.dtls {
			t.Errorf("%s: %+v, %v", tc.proto, md, err)
			continue
		}
		if !tc.dtls && !strings.Contains(string(BuildSDP(1, 1, md)), "m=audio 9000 "+tc.proto+" 0\r\n") {
			t.Errorf("%s not rebuilt as offered:\n%s", tc.proto, BuildSDP(1, 1, md))
		}
	}
	md, layout, err := ParseSDPLayout([]byte("v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 1 RTP/AVP 96\r\nm=audio 0 RTP/AVP 0\r\n"))
	if err != nil || md.Port != 0 || layout.Index != 1 {
		t.Errorf("a disabled audio stream: %+v at %d, %v", md, layout.Index, err)
	}
}

// A re-offer that disables the audio stream (port 0) is answered with port 0
// and holds us; one of DTLS-SRTP only is refused. An ACK's answer with none
// of our codecs or port 0 is not usable.
func TestSDPSessionDisabledAndRefusedStreams(t *testing.T) {
	var s sdpSession
	s.setLocal(testSDP(40000))
	body, err := s.answer([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 0 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "m=audio 0 RTP/AVP 0\r\n") || !strings.Contains(string(body), "m=video 0 RTP/AVP 96\r\n") || !s.remoteHeld {
		t.Errorf("answer to a disabled stream (remote held %v):\n%s", s.remoteHeld, body)
	}
	if _, err := s.answer([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 UDP/TLS/RTP/SAVPF 0\r\n")); !errors.Is(err, ErrBadSDP) {
		t.Errorf("DTLS-SRTP re-offer: %v, want ErrBadSDP", err)
	}
	for _, answer := range []string{
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/AVP 18\r\n",
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 0 RTP/AVP 0\r\n",
	} {
		if err := s.answerInAck([]byte(answer)); !errors.Is(err, ErrNoCommonCodec) {
			t.Errorf("ACK answer %q: %v, want ErrNoCommonCodec", answer, err)
		}
	}
}

package sipstack

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseSDP(t *testing.T) {
	tests := []struct {
		name string
		sdp  string
		want MediaDesc
		err  error
	}{
		{
			name: "rtpmap and telephone-event, session c=",
			sdp: "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
				"m=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n" +
				"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n",
			want: MediaDesc{IP: "10.0.0.1", Port: 4000, DTMFPT: 101, Direction: DirSendRecv,
				Codecs: []Codec{{8, "PCMA", 8000}, {0, "PCMU", 8000}}},
		},
		{
			name: "static payload types without rtpmap, LF only, default direction",
			sdp:  "v=0\nc=IN IP4 192.0.2.7\nm=audio 5004 RTP/AVP 0 8 9\n",
			want: MediaDesc{IP: "192.0.2.7", Port: 5004, Direction: DirSendRecv,
				Codecs: []Codec{{0, "PCMU", 8000}, {8, "PCMA", 8000}, {9, "G722", 8000}}},
		},
		{
			name: "media c= overrides session, media direction overrides session",
			sdp: "v=0\r\nc=IN IP4 192.0.2.1\r\na=sendonly\r\nm=audio 6000 RTP/AVP 0\r\n" +
				"c=IN IP4 192.0.2.2\r\na=recvonly\r\n",
			want: MediaDesc{IP: "192.0.2.2", Port: 6000, Direction: DirRecvOnly, Codecs: []Codec{{0, "PCMU", 8000}}},
		},
		{
			name: "session direction applies, IPv6",
			sdp:  "v=0\r\nc=IN IP6 ::1\r\na=inactive\r\nm=audio 7000 RTP/AVP 8\r\n",
			want: MediaDesc{IP: "::1", Port: 7000, Direction: DirInactive, Codecs: []Codec{{8, "PCMA", 8000}}},
		},
		{
			name: "video first, first audio only, dynamic pt without rtpmap dropped",
			sdp: "v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 9000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=sendonly\r\n" +
				"m=audio 8000 RTP/AVP 0 97 96\r\na=rtpmap:96 opus/48000/2\r\nm=audio 8002 RTP/AVP 8\r\n",
			want: MediaDesc{IP: "192.0.2.1", Port: 8000, Direction: DirSendRecv,
				Codecs: []Codec{{0, "PCMU", 8000}, {96, "opus", 48000}}},
		},
		{
			name: "telephone-event at another rate is not DTMF",
			sdp:  "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 8000 RTP/AVP 0 100\r\na=rtpmap:100 telephone-event/48000\r\n",
			want: MediaDesc{IP: "192.0.2.1", Port: 8000, Direction: DirSendRecv, Codecs: []Codec{{0, "PCMU", 8000}}},
		},
		{name: "no audio", sdp: "v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 9000 RTP/AVP 96\r\n", err: ErrBadSDP},
		{name: "no connection", sdp: "v=0\r\nm=audio 8000 RTP/AVP 0\r\n", err: ErrBadSDP},
		{name: "bad address", sdp: "v=0\r\nc=IN IP4 evil\r\nm=audio 8000 RTP/AVP 0\r\n", err: ErrBadSDP},
		{name: "bad port", sdp: "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 70000 RTP/AVP 0\r\n", err: ErrBadSDP},
		{name: "bad payload type", sdp: "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 8000 RTP/AVP 300\r\n", err: ErrBadSDP},
		{name: "empty", sdp: "", err: ErrBadSDP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSDP([]byte(tt.sdp))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestBuildSDPRoundTrip(t *testing.T) {
	tests := []MediaDesc{
		{IP: "127.0.0.1", Port: 40000, Codecs: []Codec{{0, "PCMU", 8000}, {8, "PCMA", 8000}}, DTMFPT: 101, Direction: DirSendRecv},
		{IP: "::1", Port: 40002, Codecs: []Codec{{8, "PCMA", 8000}}, Direction: DirSendOnly},
		{IP: "127.0.0.1", Port: 0, Codecs: []Codec{{0, "PCMU", 8000}}, Direction: DirInactive},
	}
	for _, md := range tests {
		b := BuildSDP(42, 7, md)
		got, err := ParseSDP(b)
		if err != nil {
			t.Fatalf("ParseSDP(BuildSDP) error: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(got, md) {
			t.Fatalf("round trip:\n got  %+v\n want %+v\n%s", got, md, b)
		}
	}
}

func TestBuildSDPDefaults(t *testing.T) {
	b := string(BuildSDP(9, 2, MediaDesc{IP: "127.0.0.1", Port: 1234, Codecs: []Codec{{0, "PCMU", 8000}}}))
	want := "v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\ns=wpservice\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 1234 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"
	if b != want {
		t.Fatalf("BuildSDP:\n%q\nwant\n%q", b, want)
	}
}

func TestNegotiate(t *testing.T) {
	offer := MediaDesc{Codecs: []Codec{{8, "PCMA", 8000}, {0, "PCMU", 8000}, {9, "G722", 8000}}, DTMFPT: 101}
	tests := []struct {
		name   string
		offer  MediaDesc
		prefs  []string
		want   Codec
		wantPT uint8
		err    error
	}{
		{"our order wins", offer, []string{"PCMU", "PCMA"}, Codec{0, "PCMU", 8000}, 101, nil},
		{"first common", offer, []string{"opus", "pcma"}, Codec{8, "PCMA", 8000}, 101, nil},
		{"none common", offer, []string{"opus"}, Codec{}, 0, ErrNoCommonCodec},
		{"empty offer", MediaDesc{}, []string{"PCMU"}, Codec{}, 0, ErrNoCommonCodec},
		{"no dtmf", MediaDesc{Codecs: []Codec{{0, "PCMU", 8000}}}, []string{"PCMU"}, Codec{0, "PCMU", 8000}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pt, err := Negotiate(tt.offer, tt.prefs)
			if !errors.Is(err, tt.err) || got != tt.want || pt != tt.wantPT {
				t.Fatalf("Negotiate = %+v, %d, %v; want %+v, %d, %v", got, pt, err, tt.want, tt.wantPT, tt.err)
			}
		})
	}
}

func FuzzParseSDP(f *testing.F) {
	f.Add([]byte("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"))
	f.Add([]byte("v=0\nc=IN IP6 ::1\na=inactive\nm=audio 7000 RTP/AVP 8\n"))
	f.Add([]byte("m=audio 1/2 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\nc=IN IP4 1.2.3.4/127\r\n"))
	f.Add([]byte("m=video 1 RTP/AVP 0\r\nm=audio x"))
	f.Add([]byte("c=IN IP4 1.2.3.4\r\nm=audio 5 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey64 + "|2^31\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		md, err := ParseSDP(b)
		if err != nil {
			return
		}
		if md.IP == "" || md.Port < 0 || md.Port > 65535 {
			t.Fatalf("accepted invalid description %+v", md)
		}
		// What we parsed must survive our own builder (an m= line needs a format).
		if len(md.Codecs) == 0 {
			return
		}
		again, err := ParseSDP(BuildSDP(1, 1, md))
		if err != nil {
			t.Fatalf("rebuild of %+v failed: %v", md, err)
		}
		if again.SAVP != md.SAVP || !reflect.DeepEqual(again.Crypto, md.Crypto) {
			t.Fatalf("SRTP lost in rebuild: %v %+v, then %v %+v", md.SAVP, md.Crypto, again.SAVP, again.Crypto)
		}
	})
}

// a=rtcp-mux (RFC 5761) is written when asked and read from the audio section
// only; an answer to a re-offer accepts it only where the offer has it.
func TestSDPRTCPMux(t *testing.T) {
	md := MediaDesc{IP: "127.0.0.1", Port: 40000, Codecs: []Codec{{0, "PCMU", 8000}}, RTCPMux: true}
	body := BuildSDP(1, 1, md)
	if !strings.Contains(string(body), "\r\na=rtcp-mux\r\n") {
		t.Fatalf("no a=rtcp-mux in\n%s", body)
	}
	if got, err := ParseSDP(body); err != nil || !got.RTCPMux {
		t.Fatalf("parsed %+v, %v: want RTCPMux", got, err)
	}
	if got, _ := ParseSDP(BuildSDP(1, 1, MediaDesc{IP: "127.0.0.1", Port: 40000, Codecs: md.Codecs})); got.RTCPMux {
		t.Error("RTCPMux read from an SDP without a=rtcp-mux")
	}
	other := "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 40000 RTP/AVP 0\r\nm=video 40002 RTP/AVP 96\r\na=rtcp-mux\r\n"
	if got, _ := ParseSDP([]byte(other)); got.RTCPMux {
		t.Error("RTCPMux read from the video section")
	}

	var s sdpSession
	s.setLocal(body)
	for _, offered := range []bool{true, false} {
		answer, err := s.answer(BuildSDP(9, 2, MediaDesc{IP: "127.0.0.1", Port: 30000, Codecs: md.Codecs, RTCPMux: offered}))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := ParseSDP(answer); got.RTCPMux != offered {
			t.Errorf("re-offer with rtcp-mux %v answered with %v", offered, got.RTCPMux)
		}
	}
}

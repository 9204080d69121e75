package sipstack

import (
	"strconv"
	"strings"
	"testing"
)

// a=rtcp (RFC 3605): read with or without its address, where RTCP then goes;
// written only where RTCP is not at the connection address and the next port.
func TestSDPRTCPAttribute(t *testing.T) {
	base := "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n"
	for attr, want := range map[string]string{
		"":                                     "192.0.2.1:49171",
		"a=rtcp:53020\r\n":                     "192.0.2.1:53020",
		"a=rtcp:53020 IN IP4 198.51.100.7\r\n": "198.51.100.7:53020",
		"a=rtcp:53020 IN IP6 2001:db8::7\r\n":  "2001:db8::7:53020",
		"a=rtcp:junk\r\n":                      "192.0.2.1:49171",
		"a=rtcp:53020 IN IP4 nowhere\r\n":      "192.0.2.1:53020",
	} {
		md, err := ParseSDP([]byte(base + attr))
		if err != nil {
			t.Fatalf("%q: %v", attr, err)
		}
		if ip, port := md.RTCPAddr(); ip+":"+strconv.Itoa(port) != want {
			t.Errorf("%q: RTCP at %s:%d, want %s", attr, ip, port, want)
		}
	}

	md := MediaDesc{IP: "192.0.2.1", Port: 49170, Codecs: []Codec{{0, "PCMU", 8000}}}
	for _, c := range []struct {
		port int
		ip   string
		want string // the a=rtcp line, "" for none
	}{
		{0, "", ""},
		{49171, "", ""},
		{49171, "192.0.2.1", ""},
		{60001, "", "a=rtcp:60001"},
		{49171, "198.51.100.7", "a=rtcp:49171 IN IP4 198.51.100.7"},
	} {
		md.RTCPPort, md.RTCPIP = c.port, c.ip
		body := string(BuildSDP(1, 1, md))
		got := ""
		for _, line := range strings.Split(body, "\r\n") {
			if strings.HasPrefix(line, "a=rtcp:") {
				got = line
			}
		}
		if got != c.want {
			t.Errorf("RTCP at %s:%d: %q, want %q", c.ip, c.port, got, c.want)
		}
		back, err := ParseSDP([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if ip, port := back.RTCPAddr(); c.port != 0 && (port != c.port || (c.ip != "" && ip != c.ip)) {
			t.Errorf("RTCP at %s:%d read back as %s:%d", c.ip, c.port, ip, port)
		}
	}
}

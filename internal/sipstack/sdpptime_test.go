package sipstack

import (
	"strings"
	"testing"
)

// TestSDPPacketTime: a=ptime and a=maxptime are read (a fraction rounded, 20
// ms as the zero default, nonsense ignored) and written back.
func TestSDPPacketTime(t *testing.T) {
	const head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	for _, c := range []struct {
		attrs           string
		ptime, maxptime int
	}{
		{"", 0, 0},
		{"a=ptime:20\r\n", 0, 0},
		{"a=ptime:30\r\n", 30, 0},
		{"a=ptime:40\r\na=maxptime:60\r\n", 40, 60},
		{"a=maxptime:40\r\n", 0, 40},
		{"a=ptime:22.5\r\n", 23, 0},
		{"a=ptime:soon\r\na=maxptime:-5\r\n", 0, 0},
	} {
		md, err := ParseSDP([]byte(head + c.attrs))
		if err != nil {
			t.Fatal(err)
		}
		if md.Ptime != c.ptime || md.MaxPtime != c.maxptime {
			t.Errorf("%q: ptime %d, maxptime %d; want %d, %d", c.attrs, md.Ptime, md.MaxPtime, c.ptime, c.maxptime)
		}
	}
	b := string(BuildSDP(1, 1, MediaDesc{IP: "127.0.0.1", Port: 4000, Codecs: []Codec{{0, "PCMU", 8000}}, Ptime: 40, MaxPtime: 60}))
	if !strings.Contains(b, "a=ptime:40\r\na=maxptime:60\r\n") {
		t.Errorf("built SDP without ptime 40 and maxptime 60:\n%s", b)
	}
	if md, _ := ParseSDP([]byte(b)); md.Ptime != 40 || md.MaxPtime != 60 {
		t.Errorf("round trip: ptime %d, maxptime %d", md.Ptime, md.MaxPtime)
	}
}

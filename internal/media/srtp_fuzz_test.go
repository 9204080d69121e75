package media

import (
	"bytes"
	"testing"
)

// FuzzSRTPUnprotect feeds the SRTP and SRTCP unprotect paths of the RTP and RTCP
// readers: whatever comes, they refuse it with an error or return a packet no
// longer than what came, and never panic. A packet protected with the key is the
// seed that reaches past the authentication check.
func FuzzSRTPUnprotect(f *testing.F) {
	key := bytes.Repeat([]byte{0x5a}, 30)
	keys := &SRTP{Suite: SuiteAES80, LocalKey: key, RemoteKey: key}
	seed, err := newSRTPSession(keys, nil)
	if err != nil {
		f.Fatal(err)
	}
	rtpPkt, err := seed.txRTP.EncryptRTP(nil, rawPacket(f, 0, 1, 160, 0x1234, true, []byte{1, 2, 3}), nil)
	if err != nil {
		f.Fatal(err)
	}
	rtcpPkt, err := seed.protectRTCP([]byte{0x80, 200, 0, 6, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rtpPkt)
	f.Add(rtcpPkt)
	f.Add([]byte{0x80, 0, 0, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := newSRTPSession(keys, nil) // fresh replay lists: a seed is never a replay
		if err != nil {
			t.Fatal(err)
		}
		if out, err := s.rxRTP.DecryptRTP(nil, in, nil); err == nil && len(out) > len(in) {
			t.Fatalf("SRTP: %d bytes out of %d", len(out), len(in))
		}
		if out, err := s.unprotectRTCP(nil, in); err == nil && len(out) > len(in) {
			t.Fatalf("SRTCP: %d bytes out of %d", len(out), len(in))
		}
	})
}

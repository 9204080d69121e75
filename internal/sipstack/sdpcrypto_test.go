package sipstack

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

// testKey64 is a 30-byte master key and salt in base64.
const testKey64 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"

func testKey(t *testing.T) []byte {
	t.Helper()
	k, err := base64.StdEncoding.DecodeString(testKey64)
	if err != nil || len(k) != masterKeyLen {
		t.Fatalf("test key: %v, %d bytes", err, len(k))
	}
	return k
}

func TestParseSDPCrypto(t *testing.T) {
	key := testKey(t)
	head := "v=0\r\nc=IN IP4 192.0.2.1\r\n"
	tests := []struct {
		name string
		sdp  string
		savp bool
		want []Crypto
	}{
		{"plain", head + "m=audio 4000 RTP/AVP 0\r\n", false, nil},
		{"SAVP, both suites, lifetime read past", head + "m=audio 4000 RTP/SAVP 0\r\n" +
			"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey64 + "|2^31\r\n" +
			"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + testKey64 + "\r\n", true,
			[]Crypto{{1, SuiteAES80, key}, {2, SuiteAES32, key}}},
		{"AVP with keys, unusable lines dropped", head + "m=audio 4000 RTP/AVP 0\r\n" +
			"a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + testKey64 + "\r\n" +
			"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + testKey64 + "|2^20|1:4\r\n" +
			"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=\r\n" +
			"a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" + testKey64 + " UNENCRYPTED_SRTCP\r\n" +
			"a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" + testKey64 + "\r\n" +
			"a=crypto:6 AES_CM_128_HMAC_SHA1_32 inline:" + testKey64 + "\r\n", false,
			[]Crypto{{6, SuiteAES32, key}}},
		{"session-level crypto ignored", "v=0\r\nc=IN IP4 192.0.2.1\r\n" +
			"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey64 + "\r\nm=audio 4000 RTP/AVP 0\r\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := ParseSDP([]byte(tt.sdp))
			if err != nil {
				t.Fatal(err)
			}
			if md.SAVP != tt.savp || !reflect.DeepEqual(md.Crypto, tt.want) {
				t.Fatalf("got SAVP %v %+v, want %v %+v", md.SAVP, md.Crypto, tt.savp, tt.want)
			}
		})
	}
}

func TestCryptoRoundTrip(t *testing.T) {
	offer, err := NewCryptoOffer()
	if err != nil {
		t.Fatal(err)
	}
	if len(offer) != 2 || offer[0].Suite != SuiteAES80 || offer[1].Suite != SuiteAES32 {
		t.Fatalf("offer %+v: want both suites, 80 first", offer)
	}
	if bytes.Equal(offer[0].Key, offer[1].Key) {
		t.Fatal("the two suites share a key")
	}
	md := MediaDesc{IP: "192.0.2.1", Port: 4000, Codecs: []Codec{{0, "PCMU", 8000}}, SAVP: true, Crypto: offer}
	body := BuildSDP(1, 1, md)
	if !strings.Contains(string(body), "m=audio 4000 RTP/SAVP 0\r\n") {
		t.Fatalf("no RTP/SAVP m= line in\n%s", body)
	}
	got, err := ParseSDP(body)
	if err != nil {
		t.Fatal(err)
	}
	md.Direction = DirSendRecv
	if !reflect.DeepEqual(got, md) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, md)
	}
	if c, ok := ChooseCrypto([]Crypto{{Tag: 9, Suite: "F8_128_HMAC_SHA1_80"}, offer[1]}); !ok || c.Tag != 2 {
		t.Fatalf("ChooseCrypto = %+v, %v; want the first supported (tag 2)", c, ok)
	}
}

// Our answer to a re-offer carries exactly one crypto line: ours of the offered
// suite, under the offered tag, with our key unchanged, whatever key the peer's
// new offer brings.
func TestReOfferIsAnsweredWithOneCryptoLine(t *testing.T) {
	ours, err := NewCryptoOffer() // an outgoing call's offer: one line per suite
	if err != nil {
		t.Fatal(err)
	}
	var s sdpSession
	s.setLocal(BuildSDP(1, 1, MediaDesc{IP: "127.0.0.1", Port: 40000, Codecs: []Codec{{0, "PCMU", 8000}}, Crypto: ours}))
	for _, tag := range []int{2, 7} { // the tag of our line of that suite, and a new one
		theirs, err := NewCrypto(tag, SuiteAES32)
		if err != nil {
			t.Fatal(err)
		}
		body, err := s.answer(BuildSDP(9, 2, MediaDesc{IP: "127.0.0.1", Port: 30000, Codecs: []Codec{{0, "PCMU", 8000}}, Crypto: []Crypto{theirs}}))
		if err != nil {
			t.Fatal(err)
		}
		md, err := ParseSDP(body)
		if err != nil {
			t.Fatal(err)
		}
		if len(md.Crypto) != 1 || md.Crypto[0].Tag != tag || md.Crypto[0].Suite != SuiteAES32 || string(md.Crypto[0].Key) != string(ours[1].Key) {
			t.Errorf("re-offer tag %d answered with %+v, want our %s key under tag %d", tag, md.Crypto, SuiteAES32, tag)
		}
	}
}

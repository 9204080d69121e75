package sipstack

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// SRTP crypto suites of SDES (RFC 4568 section 6.2) that the engine speaks.
const (
	SuiteAES80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAES32 = "AES_CM_128_HMAC_SHA1_32"
)

// Transport profiles of an m= line: plain RTP, and SRTP (RFC 3711), each
// also with RTCP feedback (RFC 4585, 5124).
const (
	ProtoAVP   = "RTP/AVP"
	ProtoSAVP  = "RTP/SAVP"
	ProtoAVPF  = "RTP/AVPF"
	ProtoSAVPF = "RTP/SAVPF"
)

// masterKeyLen is the length of an AES_CM_128 master key and salt together.
const masterKeyLen = 16 + 14

// Crypto is one a=crypto line (RFC 4568): its tag, suite and inline master
// key and salt. A key's lifetime is read past (we rekey never, long before
// 2^31 packets); a line with an MKI, several keys or session parameters is
// kept out of MediaDesc.Crypto.
type Crypto struct {
	Tag   int
	Suite string
	Key   []byte // master key followed by master salt, 30 bytes
}

// SupportedSuite reports whether we can run the suite.
func SupportedSuite(suite string) bool {
	return suite == SuiteAES80 || suite == SuiteAES32
}

// NewCryptoOffer returns a=crypto lines for an offer: every suite we speak,
// strongest first, each with a fresh key.
func NewCryptoOffer() ([]Crypto, error) {
	var out []Crypto
	for i, suite := range []string{SuiteAES80, SuiteAES32} {
		c, err := NewCrypto(i+1, suite)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// NewCrypto returns a crypto line with the tag and suite and a fresh key.
func NewCrypto(tag int, suite string) (Crypto, error) {
	key := make([]byte, masterKeyLen)
	if _, err := rand.Read(key); err != nil {
		return Crypto{}, fmt.Errorf("sdp: crypto key: %w", err)
	}
	return Crypto{Tag: tag, Suite: suite, Key: key}, nil
}

// ChooseCrypto picks the first line of an offer whose suite we speak.
func ChooseCrypto(offer []Crypto) (Crypto, bool) {
	for _, c := range offer {
		if SupportedSuite(c.Suite) {
			return c, true
		}
	}
	return Crypto{}, false
}

// line renders the attribute's value, after "a=".
func (c Crypto) line() string {
	return fmt.Sprintf("crypto:%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(c.Key))
}

// parseCrypto reads the value of an a=crypto attribute (after "crypto:").
// Lines with a suite we do not speak, or with an MKI, several keys or
// session parameters, are refused: they are not usable, not malformed SDP.
func parseCrypto(val string) (Crypto, bool) {
	f := strings.Fields(val)
	if len(f) != 3 || !SupportedSuite(f[1]) {
		return Crypto{}, false
	}
	tag, err := strconv.Atoi(f[0])
	if err != nil || tag < 0 || tag > 999999999 {
		return Crypto{}, false
	}
	params, ok := strings.CutPrefix(f[2], "inline:")
	if !ok || strings.Contains(params, ";") {
		return Crypto{}, false // more than one key
	}
	b64, lifetimeMKI, _ := strings.Cut(params, "|")
	if strings.Contains(lifetimeMKI, ":") {
		return Crypto{}, false // an MKI
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil || len(key) != masterKeyLen {
		return Crypto{}, false
	}
	return Crypto{Tag: tag, Suite: f[1], Key: key}, true
}

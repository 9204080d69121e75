package media

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/pion/srtp/v3"
)

// SRTP suites (RFC 4568 names) a Stream can run.
const (
	SuiteAES80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAES32 = "AES_CM_128_HMAC_SHA1_32"
)

// replayWindow is how many packets back a late SRTP or SRTCP packet may be and
// still be taken (RFC 3711 section 3.3.2); a replayed one is dropped.
const replayWindow = 128

// SRTP are a call's SRTP keys, from SDES (RFC 4568): the suite and the master
// key and salt (30 bytes) each side sends with. The same suite runs both ways.
type SRTP struct {
	Suite     string
	LocalKey  []byte // protects what we send
	RemoteKey []byte // unprotects what the peer sends
}

func (k *SRTP) equal(o *SRTP) bool {
	return k.Suite == o.Suite && bytes.Equal(k.LocalKey, o.LocalKey) && bytes.Equal(k.RemoteKey, o.RemoteKey)
}

// srtpSession holds the four SRTP contexts of a stream, one per direction and
// protocol, so that each is used by one goroutine: sending RTP by the media
// clock, receiving RTP and RTCP by their readers. Sending RTCP happens from
// the report goroutine and from Close, hence its lock.
type srtpSession struct {
	keys         SRTP
	txRTP, rxRTP *srtp.Context
	rxRTCP       *srtp.Context
	txRTCPMu     sync.Mutex
	txRTCP       *srtp.Context
}

// newSRTPSession derives the contexts from k.
func newSRTPSession(k *SRTP) (*srtpSession, error) {
	var profile srtp.ProtectionProfile
	switch k.Suite {
	case SuiteAES80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	case SuiteAES32:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_32
	default:
		return nil, fmt.Errorf("%w: SRTP suite %q", ErrBadParams, k.Suite)
	}
	keyLen, _ := profile.KeyLen()
	saltLen, _ := profile.SaltLen()
	for _, key := range [][]byte{k.LocalKey, k.RemoteKey} {
		if len(key) != keyLen+saltLen {
			return nil, fmt.Errorf("%w: SRTP key of %d bytes, want %d", ErrBadParams, len(key), keyLen+saltLen)
		}
	}
	s := &srtpSession{keys: SRTP{Suite: k.Suite,
		LocalKey: bytes.Clone(k.LocalKey), RemoteKey: bytes.Clone(k.RemoteKey)}}
	local := func() (*srtp.Context, error) {
		return srtp.CreateContext(k.LocalKey[:keyLen], k.LocalKey[keyLen:], profile)
	}
	remote := func() (*srtp.Context, error) {
		return srtp.CreateContext(k.RemoteKey[:keyLen], k.RemoteKey[keyLen:], profile,
			srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
	}
	var err error
	for _, c := range []struct {
		dst  **srtp.Context
		make func() (*srtp.Context, error)
	}{{&s.txRTP, local}, {&s.txRTCP, local}, {&s.rxRTP, remote}, {&s.rxRTCP, remote}} {
		if *c.dst, err = c.make(); err != nil {
			return nil, fmt.Errorf("%w: SRTP: %w", ErrBadParams, err)
		}
	}
	return s, nil
}

// protectRTCP encrypts and authenticates a compound RTCP packet.
func (s *srtpSession) protectRTCP(b []byte) ([]byte, error) {
	s.txRTCPMu.Lock()
	defer s.txRTCPMu.Unlock()
	return s.txRTCP.EncryptRTCP(nil, b, nil)
}

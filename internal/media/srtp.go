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
// protocol. Sending RTP is the media clock's and receiving RTP the RTP reader's,
// each alone. Sending RTCP happens from the report goroutine and from Close,
// receiving it from the RTCP reader or, with rtcp-mux, the RTP reader: hence
// their locks.
type srtpSession struct {
	keys           SRTP
	txRTP, rxRTP   *srtp.Context
	txRTCP, rxRTCP *lockedContext
}

// lockedContext is an SRTP context used from more than one goroutine.
type lockedContext struct {
	mu  sync.Mutex
	ctx *srtp.Context
}

// newSRTPSession derives the contexts from k. The contexts of a direction whose
// key is the same as in prev (nil: none) are prev's, kept: a re-INVITE that
// changes one side's key re-keys that direction only (RFC 4568 section 7.1.4),
// and the other keeps its rollover counter and replay list, so that no packet
// index is protected twice with one key and no old packet is taken again.
func newSRTPSession(k *SRTP, prev *srtpSession) (*srtpSession, error) {
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
	samePrev := prev != nil && prev.keys.Suite == k.Suite
	if samePrev && bytes.Equal(prev.keys.LocalKey, k.LocalKey) {
		s.txRTP, s.txRTCP = prev.txRTP, prev.txRTCP
	} else {
		tx, err := newContexts(k.LocalKey, keyLen, profile, 2)
		if err != nil {
			return nil, err
		}
		s.txRTP, s.txRTCP = tx[0], &lockedContext{ctx: tx[1]}
	}
	if samePrev && bytes.Equal(prev.keys.RemoteKey, k.RemoteKey) {
		s.rxRTP, s.rxRTCP = prev.rxRTP, prev.rxRTCP
	} else {
		rx, err := newContexts(k.RemoteKey, keyLen, profile, 2,
			srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
		if err != nil {
			return nil, err
		}
		s.rxRTP, s.rxRTCP = rx[0], &lockedContext{ctx: rx[1]}
	}
	return s, nil
}

// newContexts derives n contexts from one master key and salt.
func newContexts(key []byte, keyLen int, profile srtp.ProtectionProfile, n int, opts ...srtp.ContextOption) ([]*srtp.Context, error) {
	out := make([]*srtp.Context, n)
	for i := range out {
		c, err := srtp.CreateContext(key[:keyLen], key[keyLen:], profile, opts...)
		if err != nil {
			return nil, fmt.Errorf("%w: SRTP: %w", ErrBadParams, err)
		}
		out[i] = c
	}
	return out, nil
}

// protectRTCP encrypts and authenticates a compound RTCP packet.
func (s *srtpSession) protectRTCP(b []byte) ([]byte, error) {
	s.txRTCP.mu.Lock()
	defer s.txRTCP.mu.Unlock()
	return s.txRTCP.ctx.EncryptRTCP(nil, b, nil)
}

// unprotectRTCP checks and decrypts a compound SRTCP packet into dst.
func (s *srtpSession) unprotectRTCP(dst, b []byte) ([]byte, error) {
	s.rxRTCP.mu.Lock()
	defer s.rxRTCP.mu.Unlock()
	return s.rxRTCP.ctx.DecryptRTCP(dst, b, nil)
}

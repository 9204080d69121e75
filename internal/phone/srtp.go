package phone

import (
	"errors"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/media"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// SRTP with SDES keys (RFC 4568), by the account's media encryption policy:
//
//   - off: plain RTP; keys in an offer are ignored, an RTP/SAVP offer refused.
//   - optional: our offers carry keys on an RTP/AVP line (best-effort SDES, which
//     baresip and most PBXes take, where an RTP/SAVP offer would be refused by a
//     plain peer); the call is encrypted when the peer answers with a key.
//   - mandatory: our offers are RTP/SAVP; a peer without a usable key is refused
//     (488 to its offer, cause encryption_required after its answer).
//
// Each side sends with its own key; the suite is the offerer's first one that
// the answerer speaks.

// errNoSRTP means the account requires SRTP and the peer's SDP has no key we
// can use.
var errNoSRTP = errors.New("sdp: media encryption is mandatory and the peer offers no usable SRTP key")

// errSAVPOff means the peer offers SRTP only and the account's media
// encryption is off.
var errSAVPOff = errors.New("sdp: the peer offers RTP/SAVP only and media encryption is off")

// cryptoOffer returns the crypto lines and profile of a new offer under acc's
// policy: none with off.
func cryptoOffer(acc account.Account) ([]sipstack.Crypto, bool, error) {
	policy := acc.Encryption()
	if policy == api.MediaEncryptionOff {
		return nil, false, nil
	}
	crypto, err := sipstack.NewCryptoOffer()
	return crypto, policy == api.MediaEncryptionMandatory, err
}

// negotiateSRTP sets n's SRTP keys from the peer's description and ours. ours
// are the crypto lines we sent (an offer's, or the answer's one); none means
// peer is an offer we have not answered yet, and we answer its first usable
// line with a fresh key of that suite, which n.crypto then holds for our answer.
// policy is the call's account's mediaEncryption.
func negotiateSRTP(n *negotiated, peer sipstack.MediaDesc, ours []sipstack.Crypto, policy string) error {
	if policy == api.MediaEncryptionOff {
		if peer.SAVP {
			return errSAVPOff
		}
		return nil
	}
	mine, theirs, ok := pairCrypto(ours, peer.Crypto)
	if !ok && ours == nil {
		if theirs, ok = sipstack.ChooseCrypto(peer.Crypto); ok {
			var err error
			if mine, err = sipstack.NewCrypto(theirs.Tag, theirs.Suite); err != nil {
				return err
			}
		}
	}
	if !ok {
		if policy == api.MediaEncryptionMandatory || peer.SAVP {
			return errNoSRTP
		}
		return nil // optional, and the peer speaks plain RTP
	}
	n.crypto = mine
	n.srtp = &media.SRTP{Suite: mine.Suite, LocalKey: mine.Key, RemoteKey: theirs.Key}
	return nil
}

// pairCrypto finds the peer's line that answers one of ours: the same tag and
// suite (RFC 4568 section 5.1.2), else the same suite, as a peer that sends a
// new offer in a re-INVITE may number its lines anew.
func pairCrypto(ours, theirs []sipstack.Crypto) (mine, peer sipstack.Crypto, ok bool) {
	for _, sameTag := range []bool{true, false} {
		for _, t := range theirs {
			for _, o := range ours {
				if o.Suite == t.Suite && (o.Tag == t.Tag || !sameTag) {
					return o, t, true
				}
			}
		}
	}
	return sipstack.Crypto{}, sipstack.Crypto{}, false
}

// sameSRTP reports whether two calls' keys are the same (both nil: plain RTP).
func sameSRTP(a, b *media.SRTP) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Suite == b.Suite && string(a.LocalKey) == string(b.LocalKey) && string(a.RemoteKey) == string(b.RemoteKey)
}

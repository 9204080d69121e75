package phone

import (
	"bytes"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// srtpPeerSDP is a peer's SDP with PCMU, with the crypto lines (none: plain
// RTP) in the profile savp says.
func srtpPeerSDP(crypto []sipstack.Crypto, savp bool) []byte {
	return sipstack.BuildSDP(7, 1, sipstack.MediaDesc{IP: "127.0.0.1", Port: 30000, Codecs: []sipstack.Codec{pcmu},
		DTMFPT: 101, Direction: "sendrecv", Crypto: crypto, SAVP: savp})
}

func mustCrypto(t *testing.T, tag int, suite string) sipstack.Crypto {
	t.Helper()
	c, err := sipstack.NewCrypto(tag, suite)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func withPolicy(policy string) func(*Config) {
	return func(c *Config) { c.Account.MediaEncryption = policy }
}

// TestOutgoingSRTPNegotiation: our offer under each policy, and the call with
// a peer that answers with a key or without.
func TestOutgoingSRTPNegotiation(t *testing.T) {
	tests := []struct {
		policy       string
		peerKey      bool
		offerKeys    bool
		offerSAVP    bool
		wantEnc      bool
		wantCauseEnd string // the call ends with this cause; "" stays active
	}{
		{api.MediaEncryptionOff, false, false, false, false, ""},
		{api.MediaEncryptionOff, true, false, false, false, ""},
		{"", true, false, false, false, ""}, // an account saved before the setting
		{api.MediaEncryptionOptional, false, true, false, false, ""},
		{api.MediaEncryptionOptional, true, true, false, true, ""},
		{api.MediaEncryptionMandatory, true, true, true, true, ""},
		{api.MediaEncryptionMandatory, false, true, true, false, api.CauseEncryptionRequired},
	}
	for _, tt := range tests {
		name := tt.policy
		if tt.peerKey {
			name += "/peer-with-key"
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, withPolicy(tt.policy))
			r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
			d := r.sip.lastDial(t)
			r.expectStates(api.CallDialing)
			offer, err := sipstack.ParseSDP(d.offer)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(offer.Crypto) > 0; got != tt.offerKeys || offer.SAVP != tt.offerSAVP {
				t.Fatalf("offer has keys %v, SAVP %v; want %v, %v", got, offer.SAVP, tt.offerKeys, tt.offerSAVP)
			}
			var answer []sipstack.Crypto
			peer := mustCrypto(t, 2, sipstack.SuiteAES32)
			if tt.peerKey {
				answer = []sipstack.Crypto{peer}
			}
			r.sipEvent(d.id, inAnswered, 200, srtpPeerSDP(answer, tt.offerSAVP))
			if tt.wantCauseEnd != "" {
				// never reported active, not even for a moment
				cs := r.expectStates(api.CallEnded)
				if cs.Cause == nil || cs.Cause.Kind != tt.wantCauseEnd {
					t.Fatalf("cause %+v, want %s", cs.Cause, tt.wantCauseEnd)
				}
				waitFor(t, func() bool { return slices.Contains(d.did(), "hangup") })
				return
			}
			cs := r.expectStates(api.CallActive)
			if cs.Encrypted != tt.wantEnc {
				t.Fatalf("encrypted %v, want %v", cs.Encrypted, tt.wantEnc)
			}
			params := r.lastStream().started()
			k := params[len(params)-1].SRTP
			if (k != nil) != tt.wantEnc {
				t.Fatalf("stream SRTP %+v, want encrypted %v", k, tt.wantEnc)
			}
			if k != nil && (k.Suite != sipstack.SuiteAES32 || !bytes.Equal(k.RemoteKey, peer.Key) ||
				!bytes.Equal(k.LocalKey, offer.Crypto[1].Key)) {
				t.Fatalf("keys %+v: want our tag 2 key out, the peer's in", k)
			}
		})
	}
}

// TestIncomingSRTPNegotiation: an offer with or without keys under each
// policy is answered, with our own key, or refused with 488.
func TestIncomingSRTPNegotiation(t *testing.T) {
	tests := []struct {
		policy     string
		offerKeys  bool
		offerSAVP  bool
		wantReject bool
		wantEnc    bool
	}{
		{api.MediaEncryptionOff, false, false, false, false},
		{api.MediaEncryptionOff, true, false, false, false},
		{api.MediaEncryptionOff, true, true, true, false},
		{api.MediaEncryptionOptional, false, false, false, false},
		{api.MediaEncryptionOptional, true, false, false, true},
		{api.MediaEncryptionOptional, true, true, false, true},
		{api.MediaEncryptionMandatory, true, true, false, true},
		{api.MediaEncryptionMandatory, true, false, false, true},
		{api.MediaEncryptionMandatory, false, false, true, false},
	}
	for _, tt := range tests {
		name := tt.policy
		if tt.offerKeys {
			name += "/keys"
		}
		if tt.offerSAVP {
			name += "/savp"
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, withPolicy(tt.policy))
			var offer []sipstack.Crypto
			unsupported := sipstack.Crypto{Tag: 1, Suite: "AES_256_CM_HMAC_SHA1_80", Key: make([]byte, 46)}
			theirs := mustCrypto(t, 2, sipstack.SuiteAES80)
			if tt.offerKeys {
				offer = []sipstack.Crypto{unsupported, theirs}
			}
			d := &fakeDialog{id: "sip-in"}
			r.p.post(func() {
				r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: srtpPeerSDP(offer, tt.offerSAVP)})
			})
			r.sync()
			if tt.wantReject {
				if got := d.did(); !slices.Equal(got, []string{"reject 488"}) {
					t.Fatalf("dialog actions %v, want a 488", got)
				}
				return
			}
			cs := r.expectStates(api.CallIncoming, api.CallRinging)
			r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
			if cs := r.expectStates(api.CallActive); cs.Encrypted != tt.wantEnc {
				t.Fatalf("encrypted %v, want %v", cs.Encrypted, tt.wantEnc)
			}
			answer, err := sipstack.ParseSDP(d.answer)
			if err != nil {
				t.Fatal(err)
			}
			k := r.lastStream().started()[0].SRTP
			if !tt.wantEnc {
				if len(answer.Crypto) != 0 || k != nil {
					t.Fatalf("plain call answered with keys %+v, stream SRTP %+v", answer.Crypto, k)
				}
				return
			}
			if len(answer.Crypto) != 1 || answer.SAVP != tt.offerSAVP {
				t.Fatalf("answer crypto %+v SAVP %v: want one line in the offer's profile", answer.Crypto, answer.SAVP)
			}
			mine := answer.Crypto[0]
			if mine.Tag != 2 || mine.Suite != sipstack.SuiteAES80 || bytes.Equal(mine.Key, theirs.Key) {
				t.Fatalf("answer crypto %+v: want tag 2, the offered suite, our own key", mine)
			}
			if k == nil || !bytes.Equal(k.LocalKey, mine.Key) || !bytes.Equal(k.RemoteKey, theirs.Key) {
				t.Fatalf("stream SRTP %+v", k)
			}
		})
	}
}

// TestPeerReKeysInAReInvite: a re-INVITE whose a=crypto brings a new key of the
// peer's re-keys the stream (RFC 4568 section 7.1.4): the new key unprotects what
// the peer sends, ours still protects what we send. The same key again changes
// nothing.
func TestPeerReKeysInAReInvite(t *testing.T) {
	r := newRig(t, withPolicy(api.MediaEncryptionOptional))
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	offer, err := sipstack.ParseSDP(d.offer)
	if err != nil {
		t.Fatal(err)
	}
	first := mustCrypto(t, 2, sipstack.SuiteAES32)
	r.sipEvent(d.id, inAnswered, 200, srtpPeerSDP([]sipstack.Crypto{first}, false))
	r.expectStates(api.CallActive)

	reInvite := func(c sipstack.Crypto) {
		r.p.post(func() { r.p.onRemoteUpdate(d.id, srtpPeerSDP([]sipstack.Crypto{c}, false), false) })
		r.sync()
	}
	params := func() []MediaParams {
		s := r.lastStream()
		s.mu.Lock()
		defer s.mu.Unlock()
		return slices.Clone(s.params)
	}
	reInvite(first)
	if n := len(params()); n != 1 {
		t.Fatalf("the stream started %d times after a re-INVITE with the same key, want once", n)
	}
	second := mustCrypto(t, 2, sipstack.SuiteAES32)
	reInvite(second)
	got := params()
	if len(got) != 2 {
		t.Fatalf("the stream started %d times, want again for the new key", len(got))
	}
	if k := got[1].SRTP; k == nil || !bytes.Equal(k.RemoteKey, second.Key) || !bytes.Equal(k.LocalKey, offer.Crypto[1].Key) {
		t.Errorf("keys after the re-key %+v: want the peer's new key in, ours still out", k)
	}
}

package e2e

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// SIPp offers the engine more than the one audio stream it takes: video and a
// second audio stream around PCMA, or a DTLS-SRTP stream before a plain one.
// The engine's answer keeps every m= line in the offer's order, refusing all
// but the usable audio stream with port 0 (each scenario checks its 200), and
// the call carries audio both ways on that stream: SIPp's media port echoes
// the engine's microphone back to its speaker.
func TestOfferOfManyStreamsIsAnsweredLineByLine(t *testing.T) {
	for _, scenario := range []string{"uac_offer_streams.xml", "uac_dtls_and_plain.xml"} {
		t.Run(scenario, func(t *testing.T) {
			e := startEngine(t, engineOptions{})
			c := e.connect(t)
			run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
				Scenario: testpeer.ScenarioPath(t, scenario), Target: e.sipAddr(), Service: "alice",
				Extra: []string{"-rtp_echo"},
			})
			in := answerSIPp(t, c, run)
			got := c.callStates(in.CallID, api.CallEnded, 15*time.Second)
			if end := got[len(got)-1]; end.Cause == nil || end.Cause.Kind != api.CauseRemoteHangup || end.Codec != "PCMA" {
				t.Errorf("the call ended %+v, want remote_hangup in PCMA (states %v)", end, states(got))
			}
			if code, log := run.Wait(t, 10*time.Second); code != 0 {
				t.Errorf("SIPp exited %d (its check of the answer's m= lines):\n%s", code, log)
			}
			e.stop(t)
			if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-1000) > 15 || rms < 300 {
				t.Errorf("the engine heard %.0f Hz at RMS %.0f, want its own 1000 Hz tone back from the echo", hz, rms)
			}
		})
	}
}

// An offer whose only audio stream the engine cannot take is refused with 488
// (which the scenario expects) and never rings: DTLS-SRTP, which the engine
// does not speak; SRTP in RTP/SAVPF to an account with media encryption off,
// which must not be answered in plain RTP; a stream disabled with port 0.
func TestUnusableOfferIsRefused(t *testing.T) {
	const key = "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
	for _, tc := range []struct{ name, port, profile, attr string }{
		{"dtls-srtp", "", "UDP/TLS/RTP/SAVPF", "fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"},
		{"savpf-to-plain", "", "RTP/SAVPF", "crypto:1 AES_CM_128_HMAC_SHA1_80 " + key},
		{"port-zero", "0", "RTP/AVP", "sendrecv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEngine(t, engineOptions{})
			c := e.connect(t)
			port := tc.port
			if port == "" {
				port = "9000"
			}
			run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
				Scenario: testpeer.ScenarioPath(t, "uac_refused_offer.xml"), Target: e.sipAddr(), Service: "alice",
				Extra: []string{"-key", "port", port, "-key", "profile", tc.profile, "-key", "attr", tc.attr},
			})
			if code, log := run.Wait(t, 10*time.Second); code != 0 {
				t.Errorf("SIPp (488 expected) exited %d:\n%s", code, log)
			}
			if msgs := run.Messages(); strings.Contains(msgs, "SIP/2.0 200") {
				t.Errorf("the offer was answered:\n%s", msgs)
			}
			var snap api.Snapshot
			c.mustDo(api.CmdStatus.Name, nil, &snap)
			if len(snap.Lines) != 0 {
				t.Errorf("a refused offer holds a line: %+v", snap.Lines)
			}
		})
	}
}

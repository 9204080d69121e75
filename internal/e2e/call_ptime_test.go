package e2e

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Baresip, set to 40 ms packets, calls the engine, set to ask for 30 ms
// (settings.ptime), through a relay that sees the packets both ways. The
// engine sends 40 ms of PCMU per packet, as baresip's offer asks (RFC 3264
// §6.1: 320 octets, timestamps 320 apart); baresip sends 30 ms ones, as the
// engine's answer asks (baresip follows the peer's a=ptime); and each end
// hears the other's tone, the engine playing packets of a frame and a half.
func TestCallBaresipPacketTime(t *testing.T) {
	relay := testpeer.StartRelay(t, testpeer.RelayOptions{})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", SourceWAV: wav, Record: true, Ptime: 40})
	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{"stunServer": relay.STUNAddr},
		settings: map[string]any{"ptime": 30, "autoAnswer": true}})
	c := e.connect(t)

	bob.Dial(t, "sip:alice@"+e.sipAddr())
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &in)
		return in.State == api.CallActive
	}), &in)
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)
	enough := func() bool {
		seen := relay.Seen()
		return len(sentBy(seen, true)) >= 50 && len(sentBy(seen, false)) >= 50
	}
	waitUntil(t, 10*time.Second, enough, func() string { return "the relay saw too few packets" })
	bob.Hangup(t)
	c.callStates(in.CallID, api.CallEnded, 5*time.Second)
	bob.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second) // finishes its recording
	e.stop(t)

	seen := relay.Seen()
	checkPackets(t, "the engine", sentBy(seen, true), 40)
	checkPackets(t, "baresip", sentBy(seen, false), 30)
	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-baresipHz) > 15 || rms < 300 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want baresip's %.0f Hz", hz, rms, baresipHz)
	}
	if hz, rms := loudest(readWAV(t, decodedWAV(t, bob))); math.Abs(hz-engineHz) > 15 || rms < 300 {
		t.Errorf("baresip heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

// sentBy is the PCMU packets among seen that the engine sent (fromEngine),
// or its peer.
func sentBy(seen []testpeer.RTPSeen, fromEngine bool) []testpeer.RTPSeen {
	var out []testpeer.RTPSeen
	for _, p := range seen {
		if p.FromEngine == fromEngine && p.PT == 0 {
			out = append(out, p)
		}
	}
	return out
}

// checkPackets: who's PCMU packets each carry ms of audio: as many octets
// (8 per ms) and timestamps that far apart, in sequence.
func checkPackets(t *testing.T, who string, ps []testpeer.RTPSeen, ms int) {
	t.Helper()
	if len(ps) < 10 {
		t.Fatalf("%s sent %d packets", who, len(ps))
	}
	bad := 0
	for i, p := range ps {
		if p.Payload != 8*ms {
			bad++
		}
		if i > 0 && p.Seq == ps[i-1].Seq+1 && p.Timestamp-ps[i-1].Timestamp != uint32(8*ms) {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d faults (size or timestamp step) in %d packets, want %d ms each (%d octets, then %d, timestamps %d apart)", who, bad, len(ps), ms,
			ps[0].Payload, ps[1].Payload, ps[1].Timestamp-ps[0].Timestamp)
	}
}

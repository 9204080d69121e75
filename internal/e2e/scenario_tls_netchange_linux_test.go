package e2e

import (
	"math"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Scenario 3 on a TLS account with SRTP: the engine's address changes during a call
// with bob. The registration's TLS connection is bound to the old address and dies
// with it: the engine registers again within 5 s over a new connection from the new
// address, and moves the call there with a re-INVITE over that connection, keeping
// its SRTP keys; both sides keep hearing each other's tone after the move.
func TestScenarioNetworkChangeOnTLS(t *testing.T) {
	provider := testpeer.StartNamespace(t, "provider")
	ca := testpeer.NewTestCA(t)
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: provider.Host(), Auth: true, TLS: ca,
		Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
	bob := startFarPhoneWith(t, provider, kam, "bob", "bobpass", baresipHz, "srtp-mand")

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{
		"listenIP": config.Default().SIP.ListenIP, "tlsCAFile": ca.CertFile}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.TLSAddr, "transport": "tls", "username": "alice",
		"password": "secret", "register": true, "mediaEncryption": api.MediaEncryptionMandatory}, nil)
	c.next(api.EvRegState, 5*time.Second, regState(api.RegRegistered))
	hasContact(t, kam, provider.LocalIP)

	var out api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &out)
	if got := c.callStates(out.CallID, api.CallActive, 10*time.Second); !got[len(got)-1].Encrypted {
		t.Fatalf("the call to bob is not encrypted: %+v", got[len(got)-1])
	}
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)

	moveAndReRegister(t, c, kam, provider)
	c.awaitFarAudio(10 * time.Second) // bob is heard on the new address
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": out.CallID}, nil)
	if end := c.callStates(out.CallID, api.CallEnded, 5*time.Second); end[len(end)-1].Cause.Kind != api.CauseLocalHangup {
		t.Errorf("the call ended %+v, want hung up by us, not by the network change", end[len(end)-1])
	}

	// What bob heard last, after the move, is the engine's tone.
	heard := readWAV(t, decodedDump(t, bob))
	const tail = 2 * audio.SampleRate
	if len(heard) < tail {
		t.Fatalf("bob recorded %d samples", len(heard))
	}
	if hz, rms := loudest(heard[len(heard)-tail:]); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("after the move bob heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

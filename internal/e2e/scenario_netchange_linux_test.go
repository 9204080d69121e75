package e2e

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// reRegisterWithin is how soon after its address changes the engine must be
// registered again from the new one.
const reRegisterWithin = 5 * time.Second

// Scenario 3, the network changes under the engine: its address on the link to the
// PBX's host is replaced, as when a desk moves from one network to another. During
// registration, the registrar sees the new contact within 5 s. During a call with bob
// (a far phone on the PBX's host), the engine moves the call's media to the new
// address with a re-INVITE: the call goes on and both sides keep hearing each other's
// tone after the change.
func TestScenarioNetworkChange(t *testing.T) {
	provider := testpeer.StartNamespace(t, "provider")
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: provider.Host(), Auth: true,
		Users: map[string]string{"alice": "secret", "bob": "bobpass"}})

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{"listenIP": config.Default().SIP.ListenIP}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}, nil)
	c.next(api.EvRegState, 2*time.Second, regState(api.RegRegistered))
	hasContact(t, kam, provider.LocalIP)

	// While registered: the address moves, the engine registers again from the new one.
	moveAndReRegister(t, c, kam, provider)

	// During a call: the address moves again, the call follows it. (The test reaches
	// bob's control port across the link too, so bob starts on the address the engine
	// has now, and after the next move only what bob recorded is read.)
	bob := startFarPhone(t, provider, kam, "bob", "bobpass", baresipHz)
	var out api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &out)
	c.callStates(out.CallID, api.CallActive, 10*time.Second)
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)

	moveAndReRegister(t, c, kam, provider)
	c.awaitFarAudio(10 * time.Second) // bob is heard on the new address
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": out.CallID}, nil)
	c.callStates(out.CallID, api.CallEnded, 5*time.Second) // hung up by us, not network_changed

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

// moveAndReRegister replaces the engine's address on the link and waits until the
// engine has registered again and the registrar holds the new contact, within
// reRegisterWithin.
func moveAndReRegister(t *testing.T, c *client, kam *testpeer.Kamailio, provider *testpeer.Namespace) {
	t.Helper()
	moved := provider.MoveLocalIP(t)
	deadline := time.Now().Add(reRegisterWithin)
	c.next(api.EvRegState, time.Until(deadline), regState(api.RegRegistering))
	c.next(api.EvRegState, time.Until(deadline), regState(api.RegRegistered))
	hasContact(t, kam, moved)
}

// hasContact fails unless the registrar holds a contact of alice at ip.
func hasContact(t *testing.T, kam *testpeer.Kamailio, ip string) {
	t.Helper()
	if contacts := kam.Contacts(t); !strings.Contains(contacts, "AoR: alice") || !strings.Contains(contacts, "@"+ip+":") {
		t.Fatalf("alice has no contact on %s:\n%s", ip, contacts)
	}
}

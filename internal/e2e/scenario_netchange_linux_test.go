package e2e

import (
	"encoding/json"
	"maps"
	"math"
	"path/filepath"
	"slices"
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

// Scenario 3 with sip.onNetworkChange "end": a call whose address the network took
// away is not moved but ended at once, cleanly: the call ends with cause
// network_changed and bob answers our BYE with 200 (read in the SIP trace: the test
// reached bob's control port from the address that is gone). The registration
// follows the network as ever.
func TestScenarioNetworkChangeEndsTheCall(t *testing.T) {
	provider := testpeer.StartNamespace(t, "provider")
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: provider.Host(), Auth: true,
		Users: map[string]string{"alice": "secret", "bob": "bobpass"}})

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{
		"listenIP": config.Default().SIP.ListenIP, "onNetworkChange": config.NetworkChangeEnd}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}, nil)
	c.next(api.EvRegState, 2*time.Second, regState(api.RegRegistered))

	bob := startFarPhone(t, provider, kam, "bob", "bobpass", baresipHz)
	var out api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &out)
	c.callStates(out.CallID, api.CallActive, 10*time.Second)
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)

	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"sipTrace": true}, nil)
	moved := provider.MoveLocalIP(t)
	c.awaitEach(reRegisterWithin, map[string]func(event) bool{
		"the call ended with cause network_changed": func(ev event) bool {
			var cs api.CallState
			return ev.Event == api.EvCallState && json.Unmarshal(ev.Data, &cs) == nil && cs.CallID == out.CallID &&
				cs.State == api.CallEnded && cs.Cause != nil && cs.Cause.Kind == api.CauseNetworkChanged
		},
		"bob answered our BYE with 200": func(ev event) bool {
			var tr api.SIPTrace
			return ev.Event == api.EvSIPTrace && json.Unmarshal(ev.Data, &tr) == nil && tr.Dir == "recv" &&
				strings.HasPrefix(tr.Message, "SIP/2.0 200 ") && strings.Contains(tr.Message, " BYE\r\n")
		},
		"registered again": func(ev event) bool {
			return ev.Event == api.EvRegState && regState(api.RegRegistered)(ev.Data)
		},
	})
	hasContact(t, kam, moved)

	// Before the change, bob heard the engine's tone.
	if hz := tonesHeard(readWAV(t, decodedDump(t, bob))); !hasTone(hz, engineHz) {
		t.Errorf("bob heard tones %v, want the engine's %.0f Hz", hz, engineHz)
	}
}

// Scenario 3 with sip.onNetworkChange "end" while our call still rings: bob does
// not answer, the address moves, and the call is cancelled at once, not left
// ringing until bob answers: it ends with cause network_changed and our CANCEL is
// answered 200 (read in the SIP trace: bob's control port, reached across the
// link, is gone with the old address).
func TestScenarioNetworkChangeCancelsARingingCall(t *testing.T) {
	provider := testpeer.StartNamespace(t, "provider")
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: provider.Host(), Auth: true,
		Users: map[string]string{"alice": "secret", "bob": "bobpass"}})

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{
		"listenIP": config.Default().SIP.ListenIP, "onNetworkChange": config.NetworkChangeEnd}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}, nil)
	c.next(api.EvRegState, 2*time.Second, regState(api.RegRegistered))

	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 10*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{Host: provider.Host(), User: "bob", Password: "bobpass",
		Registrar: kam.Addr, SourceWAV: wav})
	bob.WaitRegistered(t, 10*time.Second)
	var out api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &out)
	c.callStates(out.CallID, api.CallRinging, 10*time.Second)
	bob.WaitEvent(t, testpeer.EventCallIncoming, 5*time.Second)

	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"sipTrace": true}, nil)
	provider.MoveLocalIP(t)
	c.awaitEach(reRegisterWithin, map[string]func(event) bool{
		"the call ended with cause network_changed": func(ev event) bool {
			var cs api.CallState
			return ev.Event == api.EvCallState && json.Unmarshal(ev.Data, &cs) == nil && cs.CallID == out.CallID &&
				cs.State == api.CallEnded && cs.Cause != nil && cs.Cause.Kind == api.CauseNetworkChanged
		},
		"our CANCEL answered 200": func(ev event) bool {
			var tr api.SIPTrace
			return ev.Event == api.EvSIPTrace && json.Unmarshal(ev.Data, &tr) == nil && tr.Dir == "recv" &&
				strings.HasPrefix(tr.Message, "SIP/2.0 200 ") && strings.Contains(tr.Message, " CANCEL\r\n")
		},
	})
}

// awaitEach reads events until each of want has matched one, in any order, and
// fails naming those that did not within timeout.
func (c *client) awaitEach(timeout time.Duration, want map[string]func(event) bool) {
	c.t.Helper()
	deadline := time.After(timeout)
	for len(want) > 0 {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatal("connection closed")
			}
			for what, match := range want {
				if match(ev) {
					delete(want, what)
				}
			}
		case <-deadline:
			c.t.Fatalf("within %v, not seen: %v", timeout, slices.Collect(maps.Keys(want)))
		}
	}
}

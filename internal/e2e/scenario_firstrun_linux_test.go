package e2e

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// carolHz is the tone of the far phone that calls the engine, told apart
// from bob's in what the engine's speaker played.
const carolHz = 500.0

// Scenario 1, the first run at a real desk: the PBX is on another host (kamailio
// in a "provider" namespace, reached through a veth pair), the engine starts with
// no account and its default SIP address ("auto"), and the user enters the
// account on the page. It registers within 2 s with a contact on the address that
// routes to the PBX; it calls bob out and takes carol's call in, both far phones in
// the provider namespace, with each side hearing the other's tone.
func TestScenarioFirstRunPBXOnAnotherHost(t *testing.T) {
	provider := testpeer.StartNamespace(t, "provider")
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: provider.Host(), Auth: true,
		Users: map[string]string{"alice": "secret", "bob": "bobpass", "carol": "carolpass"}})
	bob := startFarPhone(t, provider, kam, "bob", "bobpass", baresipHz)
	carol := startFarPhone(t, provider, kam, "carol", "carolpass", carolHz)

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{"listenIP": config.Default().SIP.ListenIP}})
	c := e.connect(t)
	if snap := c.hello.Snapshot; snap.Account.Server != "" || snap.Registration.State != api.RegUnregistered {
		t.Fatalf("not a first run: account %+v, registration %+v", snap.Account, snap.Registration)
	}

	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}, nil)
	c.next(api.EvRegState, 2*time.Second, regState(api.RegRegistered)) // on timeout, lists the states it saw
	if contacts := kam.Contacts(t); !strings.Contains(contacts, "AoR: alice") || !strings.Contains(contacts, "@"+provider.LocalIP+":") {
		t.Errorf("alice's contact is not on %s, the address that routes to the PBX:\n%s", provider.LocalIP, contacts)
	}

	// Out: the engine calls bob through the PBX.
	var out api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &out)
	c.callStates(out.CallID, api.CallActive, 10*time.Second)
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": out.CallID}, nil)
	c.callStates(out.CallID, api.CallEnded, 5*time.Second)
	bob.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)

	// In: carol calls the engine through the PBX; the page answers.
	carol.Dial(t, "sip:alice@"+kam.Addr)
	c.takeCallFrom(carol, 10*time.Second)
	e.stop(t) // finishes the speaker WAV

	heard := tonesHeard(readWAV(t, e.outWAV))
	for _, want := range []float64{baresipHz, carolHz} {
		if !hasTone(heard, want) {
			t.Errorf("the engine's speaker played %v Hz, want bob's %.0f Hz and carol's %.0f Hz", heard, baresipHz, carolHz)
			break
		}
	}
	for _, far := range []*testpeer.Baresip{bob, carol} {
		if hz, rms := loudest(readWAV(t, decodedDump(t, far))); math.Abs(hz-engineHz) > 15 || rms < 500 {
			t.Errorf("%s heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", far.URI, hz, rms, engineHz)
		}
	}
}

// startFarPhone starts a baresip in the provider namespace, registered with kam as
// user, answering calls at once, sending a tone of hz and recording what it hears.
func startFarPhone(t *testing.T, provider *testpeer.Namespace, kam *testpeer.Kamailio, user, password string, hz float64) *testpeer.Baresip {
	t.Helper()
	wav := filepath.Join(t.TempDir(), user+".wav")
	writeTone(t, wav, hz, 60*time.Second)
	b := testpeer.StartBaresip(t, testpeer.BaresipOptions{Host: provider.Host(), User: user, Password: password,
		Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true})
	b.WaitRegistered(t, 10*time.Second)
	return b
}

// tonesHeard returns the dominant frequency of every loud second of pcm (RMS 500 or
// more), in order, so a recording of two calls shows both far ends' tones.
func tonesHeard(pcm []int16) []float64 {
	const win = audio.SampleRate
	var hz []float64
	for i := 0; i+win <= len(pcm); i += win {
		if f, rms := loudest(pcm[i : i+win]); rms >= 500 {
			hz = append(hz, math.Round(f))
		}
	}
	return hz
}

// hasTone reports whether heard holds a frequency within 15 Hz of want.
func hasTone(heard []float64, want float64) bool {
	for _, hz := range heard {
		if math.Abs(hz-want) <= 15 {
			return true
		}
	}
	return false
}

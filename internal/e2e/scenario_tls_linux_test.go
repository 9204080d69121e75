package e2e

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Scenario 4, TLS and SRTP at a desk behind NAT: the engine in the desk, kamailio
// with its tls module and the far phones in the provider's namespace, kamailio's
// certificate signed by a CA made for the test and given to the engine through
// sip.tlsCAFile; the provider's coturn is the engine's STUN server, so the SDP names
// the router's public address for the media, as in scenario 2. The user enters an account on TLS with SRTP mandatory; the engine
// registers over TLS through the router. It calls bob (SRTP mandatory) and takes
// carol's call (best-effort SRTP): each call reports encrypted and carries each
// side's tone. Carol's call can reach the engine only over the registration's own
// TLS connection: the engine has no TLS listener, and the provider has no way into
// the desk but the router's mappings. Then dave, who speaks plain RTP only, is
// refused both ways.
func TestScenarioTLSAndSRTP(t *testing.T) {
	nat := testpeer.StartNAT(t, natUDPTimeout)
	ca := testpeer.NewTestCA(t)
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: nat.Provider.Host(), Auth: true, TLS: ca,
		Users: map[string]string{"alice": "secret", "bob": "bobpass", "carol": "carolpass", "dave": "davepass"}})
	bob := startFarPhoneWith(t, nat.Provider, kam, "bob", "bobpass", baresipHz, "srtp-mand")
	carol := startFarPhoneWith(t, nat.Provider, kam, "carol", "carolpass", carolHz, "srtp")
	dave := startFarPhoneWith(t, nat.Provider, kam, "dave", "davepass", baresipHz, "")
	stunServer := testpeer.StartCoturn(t, testpeer.CoturnOptions{Host: nat.Provider.Host()})

	e := startEngine(t, engineOptions{netns: nat.Desk, inputHz: engineHz,
		sip: map[string]any{"listenIP": config.Default().SIP.ListenIP, "tlsCAFile": ca.CertFile, "stunServer": stunServer.Addr}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.TLSAddr, "transport": "tls", "username": "alice",
		"password": "secret", "register": true, "mediaEncryption": api.MediaEncryptionMandatory}, nil)
	c.next(api.EvRegState, 5*time.Second, regState(api.RegRegistered))
	contacts := kam.Contacts(t)
	if addrs := contactAddresses(contacts, "alice"); len(addrs) != 1 || !strings.HasPrefix(addrs[0], nat.PublicIP+":") ||
		!strings.Contains(contacts, "transport=tls") {
		t.Errorf("alice's contacts are %v, want one on TLS at the router's public address %s:\n%s", addrs, nat.PublicIP, contacts)
	}

	// Out: the INVITE leaves on the TLS connection, the media is SRTP.
	var out api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &out)
	if got := c.callStates(out.CallID, api.CallActive, 10*time.Second); !got[len(got)-1].Encrypted {
		t.Errorf("the call to bob is not encrypted: %+v", got[len(got)-1])
	}
	bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": out.CallID}, nil)
	c.callStates(out.CallID, api.CallEnded, 5*time.Second)
	bob.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)

	// In: carol's INVITE comes back over the registration's TLS connection.
	carol.Dial(t, "sip:alice@"+kam.Addr)
	if cs := c.takeCallFrom(carol, 10*time.Second); !cs.Encrypted {
		t.Errorf("carol's call is not encrypted: %+v", cs)
	}

	// A plain peer, both ways: it refuses our RTP/SAVP offer, and its plain offer
	// is refused without ringing.
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "dave"}, &out)
	end := c.callStates(out.CallID, api.CallEnded, 10*time.Second)
	if cs := end[len(end)-1]; cs.Encrypted || cs.Cause == nil || cs.Cause.Kind != api.CauseRejected || cs.Cause.Code != 488 {
		t.Errorf("the call to dave ended %+v, want rejected with 488", cs)
	}
	dave.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)
	dave.Dial(t, "sip:alice@"+kam.Addr)
	if ev := dave.WaitEvent(t, testpeer.EventCallClosed, 10*time.Second); !strings.Contains(ev.Param, "488") {
		t.Errorf("dave's plain call to the engine closed with %q, want a 488", ev.Param)
	}
	e.stop(t) // finishes the speaker WAV

	heard := tonesHeard(readWAV(t, e.outWAV))
	if !hasTone(heard, baresipHz) || !hasTone(heard, carolHz) {
		t.Errorf("the engine's speaker played %v Hz, want bob's %.0f Hz and carol's %.0f Hz", heard, baresipHz, carolHz)
	}
	for _, far := range []*testpeer.Baresip{bob, carol} {
		if hz, rms := loudest(readWAV(t, decodedDump(t, far))); math.Abs(hz-engineHz) > 15 || rms < 500 {
			t.Errorf("%s heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", far.URI, hz, rms, engineHz)
		}
	}
}

// startFarPhoneWith is startFarPhone with baresip's media encryption enc ("",
// "srtp" or "srtp-mand", as testpeer.BaresipOptions.MediaEnc).
func startFarPhoneWith(t *testing.T, provider *testpeer.Namespace, kam *testpeer.Kamailio, user, password string, hz float64, enc string) *testpeer.Baresip {
	t.Helper()
	wav := filepath.Join(t.TempDir(), user+".wav")
	writeTone(t, wav, hz, 60*time.Second)
	b := testpeer.StartBaresip(t, testpeer.BaresipOptions{Host: provider.Host(), User: user, Password: password,
		Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true, MediaEnc: enc})
	b.WaitRegistered(t, 10*time.Second)
	return b
}

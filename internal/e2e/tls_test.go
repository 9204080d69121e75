package e2e

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// The engine registers over TLS to kamailio, whose certificate a private CA signed
// (sip.tlsCAFile). Bob, on UDP, calls it through kamailio: the INVITE comes back over
// the registration's own TLS connection (the engine has no TLS listener), the page
// answers, and each side hears the other's tone.
func TestTLSRegistrationReceivesACall(t *testing.T) {
	ca := testpeer.NewTestCA(t)
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, TLS: ca,
		Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr, SourceWAV: wav, Record: true})
	bob.WaitRegistered(t, 10*time.Second)
	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{"tlsCAFile": ca.CertFile},
		account: map[string]any{"server": kam.TLSAddr, "transport": "tls", "username": "alice", "password": "secret", "register": true}})
	c := e.connect(t)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	}
	if contacts := kam.Contacts(t); !strings.Contains(contacts, "transport=tls") {
		t.Errorf("alice's contact is not on TLS:\n%s", contacts)
	}

	bob.Dial(t, "sip:alice@"+kam.Addr)
	c.takeCallFrom(bob, 10*time.Second)
	e.stop(t) // finishes the speaker WAV

	if hz, rms := loudest(readWAV(t, e.outWAV)); math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want bob's %.0f Hz", hz, rms, baresipHz)
	}
	if hz, rms := loudest(readWAV(t, decodedDump(t, bob))); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("bob heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

// Without the private CA, kamailio's certificate is refused: the registration fails
// with the verification error as its reason, and nothing is sent to the server.
func TestTLSUnknownCAIsRefused(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{TLS: testpeer.NewTestCA(t)})
	e := startEngine(t, engineOptions{account: map[string]any{"server": kam.TLSAddr, "transport": "tls", "username": "alice", "register": true}})
	c := e.connect(t)
	var st api.RegState
	json.Unmarshal(c.next(api.EvRegState, 10*time.Second, regState(api.RegFailed)), &st)
	if st.Code != 0 || !strings.Contains(st.Reason, "certificate signed by unknown authority") {
		t.Errorf("reg.state %+v, want failed for the server's certificate", st)
	}
	if contacts := kam.Contacts(t); strings.Contains(contacts, "alice") {
		t.Errorf("alice registered through a certificate nobody trusts:\n%s", contacts)
	}
}

package testpeer

import (
	"strings"
	"testing"
	"time"
)

const sippTimeout = 20 * time.Second

// assertSIPpSucceeded fails the test unless SIPp exits 0 in time.
func assertSIPpSucceeded(t *testing.T, run *SIPpRun) {
	t.Helper()
	code, log := run.Wait(t, sippTimeout)
	if code != 0 {
		t.Fatalf("sipp exit code %d, want 0:\n%s", code, lastLines(log, tailLines))
	}
	if !strings.Contains(log, "Successful call") {
		t.Errorf("sipp log has no call statistics:\n%s", log)
	}
}

// startRegisteredBob starts kamailio without auth and a baresip "bob"
// registered with it that answers calls and records them.
func startRegisteredBob(t *testing.T) (*Kamailio, *Baresip) {
	t.Helper()
	k := StartKamailio(t, KamailioOptions{})
	bob := StartBaresip(t, BaresipOptions{User: "bob", Registrar: k.Addr, AutoAnswer: true,
		SourceWAV: toneWAV(t, 30, toneHz), Record: true})
	bob.WaitRegistered(t, eventTimeout)
	return k, bob
}

func TestSIPpBuiltinUACCallsBaresipDirectly(t *testing.T) {
	t.Parallel()
	bob := StartBaresip(t, BaresipOptions{User: "bob", AutoAnswer: true, SourceWAV: toneWAV(t, 30, toneHz)})
	run := RunSIPp(t, SIPpOptions{Scenario: "uac", Target: bob.SIPAddr, Service: "bob", Extra: []string{"-d", "500"}})
	assertSIPpSucceeded(t, run)
	established := bob.WaitEvent(t, EventCallEstablished, eventTimeout)
	if !strings.Contains(established.PeerURI, "sipp@") {
		t.Errorf("bob's call peer = %q, want SIPp", established.PeerURI)
	}
	bob.WaitEvent(t, EventCallClosed, eventTimeout)
}

func TestSIPpUACRRThroughKamailio(t *testing.T) {
	t.Parallel()
	k, bob := startRegisteredBob(t)
	run := RunSIPp(t, SIPpOptions{Scenario: ScenarioPath(t, ScenarioUACRR), Target: k.Addr, Service: "bob",
		Extra: []string{"-d", "500"}})
	assertSIPpSucceeded(t, run)
	msgs := run.Messages()
	// The 200 OK carries kamailio's Record-Route, and the BYE goes back
	// through kamailio with a Route header.
	if !strings.Contains(msgs, "Record-Route: <sip:"+k.Addr) {
		t.Errorf("no Record-Route via kamailio in the SIPp trace:\n%s", msgs)
	}
	if !strings.Contains(msgs, "Route: <sip:"+k.Addr) {
		t.Errorf("no Route header on the in-dialog requests:\n%s", msgs)
	}
	bob.WaitEvent(t, EventCallEstablished, eventTimeout)
	bob.WaitEvent(t, EventCallClosed, eventTimeout)
}

func TestSIPpPcapDTMFThroughKamailio(t *testing.T) {
	t.Parallel()
	k, bob := startRegisteredBob(t)
	run := RunSIPp(t, SIPpOptions{Scenario: ScenarioPath(t, ScenarioUACPcapDTMF), Target: k.Addr, Service: "bob"})
	assertSIPpSucceeded(t, run)
	bob.WaitEvent(t, EventCallClosed, eventTimeout)
	if got := bob.DTMFReceived(); got != "123" {
		t.Errorf("bob received DTMF %q, want %q", got, "123")
	}
	st := readWAVStats(t, decodedWAV(t, bob))
	if st.samples < 8000 || st.peak < 1000 {
		t.Errorf("decoded pcap audio: %d samples, peak %d; want at least 1 s of sound", st.samples, st.peak)
	}
}

func TestSIPpKill(t *testing.T) {
	t.Parallel()
	// A server scenario waits for its call forever.
	run := RunSIPp(t, SIPpOptions{Scenario: "uas"})
	run.Kill()
	if code, log := run.Wait(t, time.Second); code == 0 {
		t.Errorf("killed sipp exit code 0:\n%s", log)
	}
}

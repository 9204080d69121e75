package e2e

import (
	"math"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// flowKeepAlive is the engine's keep-alive interval, in seconds, in the tests of a
// reset flow: the reset is noticed at the next keep-alive at the latest.
const flowKeepAlive = 1

// A registration over TCP or TLS lives on one connection, which the registrar also
// sends our incoming calls on. When the registrar's host resets it (kamailio
// restarted, a firewall that forgot the flow), the engine notices at its next
// keep-alive (a CRLFCRLF ping on a connection that is gone) and registers again over
// a new connection, and says so in its log; carol's call then reaches the engine over that one, with each
// side hearing the other's tone.
func TestStreamFlowResetRegistersAgain(t *testing.T) {
	for _, transport := range []string{"tls", "tcp"} {
		t.Run(transport, func(t *testing.T) { testFlowReset(t, transport) })
	}
}

func testFlowReset(t *testing.T, transport string) {
	provider := testpeer.StartNamespace(t, "provider")
	ca := testpeer.NewTestCA(t)
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: provider.Host(), Auth: true, TLS: ca,
		Users: map[string]string{"alice": "secret", "carol": "carolpass"}})
	carol := startFarPhone(t, provider, kam, "carol", "carolpass", carolHz)
	server := kam.Addr
	if transport == "tls" {
		server = kam.TLSAddr
	}
	_, port, _ := net.SplitHostPort(server)
	serverPort, _ := strconv.Atoi(port)

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{
		"listenIP": config.Default().SIP.ListenIP, "tlsCAFile": ca.CertFile, "keepAlive": flowKeepAlive}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": server, "transport": transport,
		"username": "alice", "password": "secret", "register": true}, nil)
	c.next(api.EvRegState, 5*time.Second, regState(api.RegRegistered))
	before := contactAddresses(kam.Contacts(t), "alice")

	if n := provider.ResetConnections(t, serverPort); n != 1 {
		t.Fatalf("reset %d connections on kamailio's port %d, want the registration's one", n, serverPort)
	}
	if !e.waitLog(flowKeepAlive*time.Second+3*time.Second, "keep-alive failed", "registered again on a new flow") {
		t.Fatalf("the engine did not register again after its flow was reset")
	}
	after := contactAddresses(kam.Contacts(t), "alice")
	if len(after) != 1 || slices.Equal(after, before) && transport == "tls" {
		t.Errorf("alice's contacts went from %v to %v, want one, on the new connection", before, after)
	}

	carol.Dial(t, "sip:alice@"+kam.Addr)
	c.takeCallFrom(carol, 5*time.Second)
	e.stop(t) // finishes the speaker WAV

	if heard := tonesHeard(readWAV(t, e.outWAV)); !hasTone(heard, carolHz) {
		t.Errorf("the engine's speaker played %v Hz, want carol's %.0f Hz", heard, carolHz)
	}
	if hz, rms := loudest(readWAV(t, decodedDump(t, carol))); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("carol heard %.0f Hz at RMS %.0f, want the engine's %.0f Hz", hz, rms, engineHz)
	}
}

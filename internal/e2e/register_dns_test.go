package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// An account whose server is a bare domain is found through the domain's NAPTR and
// SRV records, on the DNS server sip.dnsServer names (dnsmasq): the first SRV
// target refuses the connection, the engine registers with the second, a kamailio,
// over TCP, and calls baresip, registered there, through it, with audio both ways.
// (A target that is silent instead, left after the REGISTER's timeout, is
// internal/sipstack's TestAccountFoundThroughDNS.)
func TestRegisterAndCallThroughDNS(t *testing.T) {
	const domain = "example.test"
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Aliases: []string{domain}})
	dead := testpeer.FreePort(t) // nothing listens: the TCP connection is refused
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "pbx." + domain, Records: []string{
		"host-record=dead." + domain + ",127.0.0.1",
		"host-record=pbx." + domain + ",127.0.0.1",
		fmt.Sprintf("srv-host=_sip._tcp.servers.%s,dead.%s,%d,10,0", domain, domain, dead),
		fmt.Sprintf("srv-host=_sip._tcp.servers.%s,pbx.%s,%d,20,0", domain, domain, kam.Port),
		"naptr-record=" + domain + ",10,10,s,SIP+D2T,,_sip._tcp.servers." + domain,
	}})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true})
	bob.WaitRegistered(t, 10*time.Second)

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{"dnsServer": dns.Addr}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": domain, "username": "alice", "transport": "tcp", "register": true}, nil)
	c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	if contacts := kam.Contacts(t); !strings.Contains(contacts, "alice") {
		t.Fatalf("kamailio has no contact for alice:\n%s", contacts)
	}

	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	c.callStates(res.CallID, api.CallActive, 10*time.Second)
	bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	time.Sleep(1500 * time.Millisecond) // let audio flow both ways
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	checkTwoWayAudio(t, e, bob)
}

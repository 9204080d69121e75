package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Two accounts on two domains, each found through its own SRV records on the DNS
// server sip.dnsServer names (dnsmasq), each domain served by its own kamailio:
// both register at once, each at its own server, and each calls a baresip
// registered at its server, with audio both ways. Each account keeps its own
// routes: the second's resolution does not send the first's calls astray.
func TestTwoAccountsOnTwoDomainsThroughDNS(t *testing.T) {
	domains := []string{"one.test", "two.test"}
	users := []string{"alice", "carol"}
	peers := []string{"bob", "dave"}
	var kams []*testpeer.Kamailio
	var far []*testpeer.Baresip
	records := []string{}
	for i, domain := range domains {
		kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Aliases: []string{domain}})
		wav := filepath.Join(t.TempDir(), peers[i]+".wav")
		writeTone(t, wav, baresipHz, 60*time.Second)
		b := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: peers[i], Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true})
		b.WaitRegistered(t, 10*time.Second)
		kams, far = append(kams, kam), append(far, b)
		records = append(records, "host-record=pbx."+domain+",127.0.0.1",
			fmt.Sprintf("srv-host=_sip._udp.%s,pbx.%s,%d,10,0", domain, domain, kam.Port))
	}
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "pbx." + domains[1], Records: records})

	e := startEngine(t, engineOptions{inputHz: engineHz, sip: map[string]any{"dnsServer": dns.Addr}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": domains[0], "username": users[0], "register": true}, nil)
	var second api.AccountInfo
	c.mustDo(api.CmdAccountAdd.Name, map[string]any{"server": domains[1], "username": users[1], "register": true}, &second)
	accounts := []string{"", second.ID}
	registered := map[string]bool{}
	for !registered[second.ID] || len(registered) < 2 {
		var st api.RegState
		json.Unmarshal(c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered)), &st)
		registered[st.Account] = true
	}
	for i, kam := range kams {
		if contacts := kam.Contacts(t); !strings.Contains(contacts, users[i]) || strings.Contains(contacts, users[1-i]) {
			t.Fatalf("the kamailio of %s, want %s's contact alone:\n%s", domains[i], users[i], contacts)
		}
	}

	for i, account := range accounts {
		var res api.DialResult
		c.mustDo(api.CmdCallDial.Name, map[string]any{"to": peers[i], "account": account}, &res)
		c.callStates(res.CallID, api.CallActive, 10*time.Second)
		if in := far[i].WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second); !strings.Contains(in.PeerURI, users[i]+"@") {
			t.Errorf("%s was called by %q, want %s", peers[i], in.PeerURI, users[i])
		}
		c.awaitFarAudio(10 * time.Second)
		c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
		c.callStates(res.CallID, api.CallEnded, 5*time.Second)
		far[i].WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)
	}
	for _, b := range far {
		checkTwoWayAudio(t, e, b)
	}
}

package e2e

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// natUDPTimeout is how long the NAT router keeps an idle UDP mapping: short,
// so that it passes several times in a test, as a real router's 30 to 120 s
// pass in a working hour.
const natUDPTimeout = 5 * time.Second

// natKeepAlive is the engine's keep-alive interval in the NAT scenario, in
// seconds (sip.keepAlive): shorter than the router's timeout, as the 25 s
// default is shorter than a real router's.
const natKeepAlive = 2

// Scenario 2, behind NAT: the engine runs on a desk with a private address
// behind a router that masquerades it and forgets an idle UDP mapping after
// natUDPTimeout; kamailio and carol's phone are on the provider's side, and
// kamailio saves the Contact as sent (no nathelper), as a strict registrar
// does, and coturn is the provider's STUN server (sip.stunServer). The user
// enters the account on the page; the engine registers. The
// router's timeout passes three times with no call; then carol calls the
// engine and the call must arrive, be answered and carry each side's tone.
// By then the registrar's contact for alice must be the router's public
// address, never the desk's private one: the engine learned it from the
// REGISTER response and rewrote its Contact, and its keep-alives held the
// mapping open. Carol's RTP reaches the engine because the engine's SDP
// names the router's public address, which its RTP socket learned from the
// STUN server: the desk's private one has no route from the provider.
func TestScenarioBehindNAT(t *testing.T) {
	nat := testpeer.StartNAT(t, natUDPTimeout)
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Host: nat.Provider.Host(), Auth: true,
		Users: map[string]string{"alice": "secret", "carol": "carolpass"}})
	carol := startFarPhone(t, nat.Provider, kam, "carol", "carolpass", carolHz)
	stunServer := testpeer.StartCoturn(t, testpeer.CoturnOptions{Host: nat.Provider.Host()})

	e := startEngine(t, engineOptions{netns: nat.Desk, inputHz: engineHz,
		sip: map[string]any{"listenIP": config.Default().SIP.ListenIP, "keepAlive": natKeepAlive, "stunServer": stunServer.Addr}})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}, nil)
	c.next(api.EvRegState, 5*time.Second, regState(api.RegRegistered))

	// The wait is the point: with nothing but keep-alives, the mapping must
	// outlive three of the router's timeouts.
	time.Sleep(3*nat.UDPTimeout + time.Second)

	contacts := kam.Contacts(t)
	if addrs := contactAddresses(contacts, "alice"); len(addrs) == 0 || slices.ContainsFunc(addrs, func(a string) bool { return !strings.HasPrefix(a, nat.PublicIP+":") }) {
		t.Errorf("alice's contacts are %v, want only the router's public address %s (the desk's private address is %s):\n%s",
			addrs, nat.PublicIP, nat.Desk.IP, contacts)
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

// contactAddress finds the host:port of each contact in kamcmd's ul.dump.
var contactAddress = regexp.MustCompile(`Address: sip:[^@\s]+@([^;>\s]+)`)

// contactAddresses returns the host:port of every contact of aor in a
// ul.dump, where each AoR's contacts follow its "AoR:" line.
func contactAddresses(dump, aor string) []string {
	var addrs []string
	for _, block := range strings.Split(dump, "AoR: ")[1:] {
		if name, _, _ := strings.Cut(block, "\n"); strings.TrimSpace(name) == aor {
			for _, m := range contactAddress.FindAllStringSubmatch(block, -1) {
				addrs = append(addrs, m[1])
			}
		}
	}
	return addrs
}

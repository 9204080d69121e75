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

// twoAccounts is kamailio with alice and carol (the engine's two accounts) and bob
// (baresip, auto-answering, sending baresipHz); the engine registered as alice (its
// default account) and as carol (account.add) at once.
type twoAccounts struct {
	kam   *testpeer.Kamailio
	bob   *testpeer.Baresip
	e     *engine
	c     *client
	carol string // the id of the engine's second account
}

func newTwoAccounts(t *testing.T) *twoAccounts {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true,
		Users: map[string]string{"alice": "secret", "carol": "carolpass", "bob": "bobpass"}})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr,
		AutoAnswer: true, SourceWAV: wav, Record: true})
	bob.WaitRegistered(t, 10*time.Second)
	e := startEngine(t, engineOptions{inputHz: engineHz, account: map[string]any{
		"server": kam.Addr, "username": "alice", "password": "secret", "register": true,
	}})
	c := e.connect(t)
	var info api.AccountInfo
	c.mustDo(api.CmdAccountAdd.Name, map[string]any{"server": kam.Addr, "username": "carol", "password": "carolpass",
		"transport": "tcp", "registerInterval": 120, "register": true}, &info)
	if info.ID == "" || info.Default || info.Username != "carol" {
		t.Fatalf("account.add: %+v", info)
	}
	registered := map[string]bool{}
	if c.hello.Snapshot.Registration.State == api.RegRegistered {
		registered[c.hello.Snapshot.Registration.Account] = true
	}
	for !registered[info.ID] || len(registered) < 2 {
		var st api.RegState
		json.Unmarshal(c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered)), &st)
		registered[st.Account] = true
	}
	contacts := kam.Contacts(t)
	if !strings.Contains(contacts, "alice") || !strings.Contains(contacts, "carol") {
		t.Fatalf("kamailio does not have both accounts' contacts:\n%s", contacts)
	}
	return &twoAccounts{kam: kam, bob: bob, e: e, c: c, carol: info.ID}
}

// The engine registers two accounts at once and calls bob from the second: bob
// sees carol's From, and each hears the other's tone.
func TestCallFromTheSecondAccount(t *testing.T) {
	s := newTwoAccounts(t)
	var list api.AccountList
	s.c.mustDo(api.CmdAccountsList.Name, nil, &list)
	if len(list.Accounts) != 2 || list.Accounts[1].Registration.State != api.RegRegistered || list.Accounts[1].Transport != "tcp" {
		t.Errorf("accounts.list %+v", list)
	}

	var res api.DialResult
	s.c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob", "account": s.carol}, &res)
	got := s.c.callStates(res.CallID, api.CallActive, 10*time.Second)
	if cs := got[len(got)-1]; cs.Account != s.carol || cs.PeerUser != "bob" {
		t.Errorf("active call %+v, want to bob on account %s", cs, s.carol)
	}
	if in := s.bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second); !strings.Contains(in.PeerURI, "carol@") {
		t.Errorf("bob was called by %q, want carol", in.PeerURI)
	}
	s.c.awaitFarAudio(10 * time.Second)
	s.c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	s.c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	s.bob.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)
	checkTwoWayAudio(t, s.e, s.bob)
}

// bob calls each of the engine's accounts: each call arrives and says which
// account it is for, and the engine hears bob's tone.
func TestCallsInOnEachAccount(t *testing.T) {
	s := newTwoAccounts(t)
	for _, tc := range []struct{ user, account string }{{"carol", s.carol}, {"alice", "1"}} {
		s.bob.Dial(t, "sip:"+tc.user+"@"+s.kam.Addr)
		cs := s.c.takeCallFrom(s.bob, 10*time.Second)
		if cs.Account != tc.account {
			t.Errorf("the call to %s came in on account %q, want %q", tc.user, cs.Account, tc.account)
		}
		s.bob.WaitEvent(t, testpeer.EventCallClosed, 5*time.Second)
	}
	s.e.stop(t)
	if hz, rms := loudest(readWAV(t, s.e.outWAV)); math.Abs(hz-baresipHz) > 15 || rms < 500 {
		t.Errorf("engine heard %.0f Hz at RMS %.0f, want bob's %.0f Hz", hz, rms, baresipHz)
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Kamailio as registrar and presence server for the engine's two accounts, alice
// (the default) and dave (account.add): each subscribes to its own voicemail box,
// and a voicemail system (SIPp) publishing each box's counts has them reported on
// the right account, and kept so in the snapshot. (A box published before its
// subscription is in the presence server's first NOTIFY to it.)
func TestMWIPerAccountThroughKamailio(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true})
	e := startEngine(t, engineOptions{account: map[string]any{"server": kam.Addr, "username": "alice", "register": true}})
	c := e.connect(t)
	var dave api.AccountInfo
	c.mustDo(api.CmdAccountAdd.Name, map[string]any{"server": kam.Addr, "username": "dave", "register": true}, &dave)

	publish := func(user string, fresh, old int) {
		t.Helper()
		sippPassed(t, testpeer.RunSIPp(t, testpeer.SIPpOptions{
			Scenario: testpeer.ScenarioPath(t, "uac_publish_mwi.xml"), Target: kam.Addr, Service: user,
			Extra: []string{"-key", "new", fmt.Sprint(fresh), "-key", "old", fmt.Sprint(old)},
		}))
	}
	box := func(account string) api.MWIState {
		t.Helper()
		var m api.MWIState
		json.Unmarshal(c.next(api.EvMWI, notifyWithin, func(d json.RawMessage) bool {
			json.Unmarshal(d, &m)
			return m.Account == account && m.Waiting
		}), &m)
		return m
	}
	publish("dave", 3, 4)
	if m := box(dave.ID); m.New != 3 || m.Old != 4 {
		t.Fatalf("dave's box %+v, want 3 new and 4 old on account %s", m, dave.ID)
	}
	publish("alice", 1, 2)
	if m := box(""); m.New != 1 || m.Old != 2 {
		t.Fatalf("alice's box %+v, want 1 new and 2 old on the default account", m)
	}

	var snap api.Snapshot
	c.mustDo(api.CmdStatus.Name, nil, &snap)
	if snap.MWI.New != 1 || snap.MWI.Old != 2 || snap.MWI.Account != "" {
		t.Errorf("snapshot mwi %+v, want alice's box", snap.MWI)
	}
	if len(snap.MWIAccounts) != 1 || snap.MWIAccounts[0].Account != dave.ID || snap.MWIAccounts[0].New != 3 || snap.MWIAccounts[0].Old != 4 {
		t.Errorf("snapshot mwiAccounts %+v, want dave's box", snap.MWIAccounts)
	}
}

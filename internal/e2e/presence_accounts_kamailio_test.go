package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Two PBXes, each a kamailio presence server with its own bob (baresip with its
// presence module): the engine's default account (alice) is on the first, its
// second account (dave) on the other, and it watches "bob" from each, two
// contacts with one number. The second bob going offline, and his lamp ringing,
// busy and idle while the engine calls him from the second account, are seen on
// the second account's contact only: the first account's bob stays available
// and his lamp never lights.
func TestContactOnSecondAccountThroughKamailio(t *testing.T) {
	wav := filepath.Join(t.TempDir(), "tone.wav")
	writeTone(t, wav, 600, 60*time.Second)
	kamA := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true})
	kamB := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true})
	bobA := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Registrar: kamA.Addr, SourceWAV: wav, Presence: true})
	bobB := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Registrar: kamB.Addr, SourceWAV: wav, Presence: true})
	bobA.WaitRegistered(t, notifyWithin)
	bobB.WaitRegistered(t, notifyWithin)

	e := startEngine(t, engineOptions{account: map[string]any{"server": kamA.Addr, "username": "alice", "register": true}})
	c := e.connect(t)
	var dave api.AccountInfo
	c.mustDo(api.CmdAccountAdd.Name, map[string]any{"server": kamB.Addr, "username": "dave", "register": true}, &dave)
	c.next(api.EvRegState, notifyWithin, func(d json.RawMessage) bool {
		var st api.RegState
		json.Unmarshal(d, &st)
		return st.Account == dave.ID && st.State == api.RegRegistered
	})
	c.mustDo(api.CmdContactsSet.Name, map[string]any{"name": "Bob at A", "number": "bob", "presence": true, "blf": true}, nil)
	c.mustDo(api.CmdContactsSet.Name, map[string]any{"name": "Bob at B", "number": "bob", "presence": true, "blf": true, "account": dave.ID}, nil)

	// Every state of the first account's bob is checked as it passes: available
	// (or not known yet), never what the second bob does.
	leaked := func(ev string, d json.RawMessage) {
		t.Helper()
		switch ev {
		case api.EvPresence:
			var st api.PresenceState
			json.Unmarshal(d, &st)
			if st.Account == "" && st.State != "Available" && st.State != "Unknown" {
				t.Errorf("the first account's bob is %s: the second's state leaked to him", st.State)
			}
		case api.EvBLF:
			var st api.BLFState
			json.Unmarshal(d, &st)
			if st.Account == "" && st.Lamp != api.LampIdle {
				t.Errorf("the first account's bob's lamp is %s: the second's call leaked to him", st.Lamp)
			}
		}
	}
	await := func(ev, account, want string) {
		t.Helper()
		c.next(ev, notifyWithin, func(d json.RawMessage) bool {
			leaked(ev, d)
			var st struct{ Number, Account, State, Lamp string }
			json.Unmarshal(d, &st)
			return st.Number == "bob" && st.Account == account && (st.State == want || st.Lamp == want)
		})
	}
	await(api.EvPresence, dave.ID, "Available")
	bobB.SetPresence(t, false)
	await(api.EvPresence, dave.ID, "Offline")

	var call api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob", "account": dave.ID}, &call)
	await(api.EvBLF, dave.ID, api.LampRinging)
	bobB.Accept(t)
	await(api.EvBLF, dave.ID, api.LampBusy)
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": call.CallID}, nil)
	await(api.EvBLF, dave.ID, api.LampIdle)

	var snap api.Snapshot
	c.mustDo(api.CmdStatus.Name, nil, &snap)
	presence := map[string]string{}
	for _, st := range snap.Presence {
		presence[st.Account] = st.State
	}
	if presence[dave.ID] != "Offline" || (presence[""] != "Available" && presence[""] != "Unknown") {
		t.Errorf("snapshot presence %+v: want the second bob offline, the first not", snap.Presence)
	}
	for _, st := range snap.BLF {
		if st.Lamp != api.LampIdle {
			t.Errorf("snapshot lamp %+v after the call ended", st)
		}
	}
}

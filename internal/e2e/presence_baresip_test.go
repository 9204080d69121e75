package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Baresip bob sets his own status through its control socket (baresip 1.0's
// presence module knows online and offline), offline, online, offline again, and
// the engine, watching him through kamailio's presence server, reports each change
// within the notification time.
//
// Each change waits for the engine to report the state before it: baresip
// publishes once registered, and a change made while that first PUBLISH is under
// way goes without its entity-tag, a second document kamailio keeps beside the
// first until it expires; and each answer gives the document a new entity-tag,
// which the next PUBLISH must carry. SetPresence waits for baresip to have every
// answer (its SIP trace shows them), and removes a second first document; the
// engine seeing bob Available is not enough, as kamailio notifies before it
// answers.
func TestBaresipPresenceChangesSeenByEngine(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true})
	wav := filepath.Join(t.TempDir(), "tone.wav")
	writeTone(t, wav, 600, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Registrar: kam.Addr, SourceWAV: wav, Presence: true})
	bob.WaitRegistered(t, notifyWithin)

	e := startEngine(t, engineOptions{account: map[string]any{"server": kam.Addr, "username": "alice", "register": true}})
	c := e.connect(t)
	c.mustDo(api.CmdContactsSet.Name, map[string]any{"name": "Bob", "number": "bob", "presence": true}, nil)
	bobIs := func(want string) {
		t.Helper()
		c.next(api.EvPresence, notifyWithin, func(d json.RawMessage) bool {
			var st api.PresenceState
			json.Unmarshal(d, &st)
			return st.Number == "bob" && st.State == want
		})
	}
	bobIs("Available")
	bob.SetPresence(t, false)
	bobIs("Offline")
	bob.SetPresence(t, true)
	bobIs("Available")
	bob.SetPresence(t, false)
	bobIs("Offline")
}

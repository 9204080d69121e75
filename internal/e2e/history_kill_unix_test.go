//go:build unix

package e2e

import (
	"database/sql"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// How much the history's SIGKILL test must see go through (a count, not a time):
// rounds of calls cut by a kill, and stored calls reported before the kills; it
// gives up after historyKillCap rounds.
const (
	historyKillRounds = 6
	historyKillCDRs   = 40
	historyKillCap    = 40
)

// TestHistorySurvivesSIGKILL: SIPp calls the engine (which answers each at once) many
// times a second, and the engine is killed with SIGKILL at a random moment while the
// calls end, again and again. After each kill the database passes PRAGMA
// integrity_check and holds every call whose call.cdr a client saw; after the last
// restart history.list returns each of them as its call.cdr reported it.
func TestHistorySurvivesSIGKILL(t *testing.T) {
	e := startEngine(t, engineOptions{settings: map[string]any{"autoAnswer": true, "maxLines": 16}})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the last engine's log:\n%s", e.logText())
		}
	})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid())))
	seen := map[int64]api.CallRecord{} // every stored call.cdr a client saw, by id
	rounds := 0
	for ; rounds < historyKillRounds || len(seen) < historyKillCDRs; rounds++ {
		if rounds == historyKillCap {
			t.Fatalf("only %d calls were reported stored in %d rounds: too few to prove anything", len(seen), rounds)
		}
		if rounds > 0 {
			e = relaunch(t, e)
			if !e.waitLog(10*time.Second, "wpservice ready") {
				t.Fatalf("engine did not come up:\n%s", e.logText())
			}
		}
		c := e.connect(t)
		sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{
			Scenario: "uac", Target: e.sipAddr(), Service: "alice", Calls: 10000,
			Extra: []string{"-r", "25", "-d", "50"},
		})
		killAfter := 3 + rng.IntN(8) // calls stored in this round before the kill is armed
		n := 0
		for ev := range c.events { // until the kill closes the connection
			if ev.Event != api.EvCallCDR {
				continue
			}
			var r api.CallRecord
			if err := json.Unmarshal(ev.Data, &r); err != nil {
				t.Fatal(err)
			}
			if r.ID == 0 {
				t.Fatalf("call.cdr of a call the history did not store: %+v", r)
			}
			seen[r.ID] = r
			if n++; n == killAfter {
				time.AfterFunc(time.Duration(rng.IntN(40))*time.Millisecond, e.kill) // mid-way through later calls' ends
			}
			if n == killAfter+200 {
				t.Fatalf("the engine was not killed")
			}
		}
		<-e.exited
		sipp.Kill()
		checkHistoryFile(t, filepath.Join(e.dataDir, "history.db"), seen)
	}

	e = relaunch(t, e)
	if !e.waitLog(10*time.Second, "wpservice ready") {
		t.Fatalf("engine did not come up:\n%s", e.logText())
	}
	c := e.connect(t)
	listed := map[int64]api.CallRecord{}
	for before := int64(0); ; {
		var page api.HistoryPage
		c.mustDo(api.CmdHistoryList.Name, map[string]any{"limit": 500, "before": before}, &page)
		for _, r := range page.Calls {
			listed[r.ID] = r
		}
		if before = page.Next; before == 0 {
			break
		}
	}
	for id, r := range seen {
		if listed[id] != r {
			t.Errorf("call.cdr %+v\nhistory.list %+v", r, listed[id])
		}
	}
	t.Logf("%d rounds cut by SIGKILL: %d calls reported stored, %d in the history", rounds, len(seen), len(listed))
}

// checkHistoryFile opens the database a killed engine left: it passes PRAGMA
// integrity_check and holds every record in want.
func checkHistoryFile(t *testing.T, path string, want map[int64]api.CallRecord) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q, %v", ok, err)
	}
	stored := map[int64]string{}
	rows, err := db.Query("SELECT id, sip_call_id FROM calls")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sipID string
		rows.Scan(&id, &sipID)
		stored[id] = sipID
	}
	for id, r := range want {
		if stored[id] != r.SIPCallID {
			t.Errorf("call %d (%s) was reported stored, the database has %q", id, r.SIPCallID, stored[id])
		}
	}
}

// A call the engine's shutdown (SIGTERM) ends is in the history when it starts again,
// ended by the system with cause shutdown.
func TestHistoryKeepsTheCallShutdownEnded(t *testing.T) {
	e := startEngine(t, engineOptions{settings: map[string]any{"autoAnswer": true}})
	c := e.connect(t)
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: "uac", Target: e.sipAddr(), Service: "alice", Extra: []string{"-d", "30000"},
	})
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &in)
		return in.State == api.CallActive
	}), &in)
	e.stop(t)
	sipp.Kill()

	e = relaunch(t, e)
	if !e.waitLog(10*time.Second, "wpservice ready") {
		t.Fatalf("engine did not come up:\n%s", e.logText())
	}
	var page api.HistoryPage
	e.connect(t).mustDo(api.CmdHistoryList.Name, nil, &page)
	if len(page.Calls) != 1 {
		t.Fatalf("history after the restart: %+v, want the call the shutdown ended", page.Calls)
	}
	r := page.Calls[0]
	if r.SIPCallID != in.SIPCallID || r.Cause.Kind != api.CauseShutdown || r.EndedBy != api.EndedBySystem ||
		r.Direction != api.DirIncoming || r.AnsweredAt == 0 || r.Duration != r.EndedAt-r.AnsweredAt {
		t.Errorf("the call the shutdown ended is recorded as %+v", r)
	}
}

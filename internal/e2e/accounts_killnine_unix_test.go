//go:build unix

package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// TestAccountsSurviveSIGKILL adds, changes (a new password each time) and removes
// accounts besides the default while SIGKILL cuts the engine at random points, and
// restarts it each time. After every start the data directory must hold the accounts
// acknowledged, or those with the change in flight made, never a mix: each account's
// password in the keeper entry the file names for it, and no other password.
func TestAccountsSurviveSIGKILL(t *testing.T) {
	const rounds, acked, limit = 150, 80, 120 * time.Second
	e := startEngine(t, engineOptions{})
	e.stop(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the last engine's log:\n%s", e.logText())
		}
	})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid())))
	k := &accountKills{have: map[string]string{}}
	n := 0
	for end := time.Now().Add(limit); (n < rounds || k.acked < acked) && time.Now().Before(end); n++ {
		e = relaunch(t, e)
		if !e.waitLog(10*time.Second, "wpservice ready") {
			t.Fatalf("engine did not come up:\n%s", e.logText())
		}
		k.check(t, e.dataDir)
		time.AfterFunc(time.Duration(rng.IntN(60))*time.Millisecond, e.kill)
		k.drive(t, e, rng)
		<-e.exited
	}
	e = relaunch(t, e)
	if !e.waitLog(10*time.Second, "wpservice ready") {
		t.Fatalf("engine did not come up:\n%s", e.logText())
	}
	k.check(t, e.dataDir)
	t.Logf("%d kills, %d account changes acknowledged, %d accounts at the end", n, k.acked, len(k.have))
	if k.acked < acked {
		t.Fatalf("too few changes went through in %s to prove anything", limit)
	}
}

// accountKills is what the test asked of the engines: the accounts acknowledged (user
// name to password; "main" is the default) and the change in flight, if any.
type accountKills struct {
	have     map[string]string
	next     map[string]string // have with the change in flight made; nil: none
	ids      map[string]string // user name to the account's id, as the file says
	acked    int
	created  int
	versions int
}

// check reads account.json and secrets.json: the accounts must be those acknowledged,
// or those with the change in flight made, each with its own password under the
// entry the file names, and nothing else in the keeper.
func (k *accountKills) check(t *testing.T, dir string) {
	t.Helper()
	var doc struct {
		Accounts []struct {
			ID            string `json:"id"`
			Username      string `json:"username"`
			PasswordEntry int    `json:"passwordEntry"`
		} `json:"accounts"`
		PasswordEntry int `json:"passwordEntry"`
	}
	var secrets struct {
		Secrets map[string]string `json:"secrets"`
	}
	readJSON(t, filepath.Join(dir, "account.json"), &doc)
	readJSON(t, filepath.Join(dir, "secrets.json"), &secrets)
	found, names := map[string]string{}, map[string]bool{}
	k.ids = map[string]string{}
	for _, a := range doc.Accounts {
		name := "sip-password:" + dir
		if a.ID != "1" {
			name += "#account-" + a.ID
		}
		entry := a.PasswordEntry
		if a.ID == "1" {
			entry = doc.PasswordEntry
		}
		if entry == 1 {
			name += "#1"
		}
		found[a.Username], names[name] = secrets.Secrets[name], true
		k.ids[a.Username] = a.ID
	}
	for name := range secrets.Secrets {
		if !names[name] {
			t.Fatalf("secrets.json holds %q, which no account names", name)
		}
	}
	switch {
	case maps.Equal(found, k.have):
	case k.next != nil && maps.Equal(found, k.next):
		k.have = found
	default:
		t.Fatalf("after the restart the accounts and passwords are %v; acknowledged %v, with the change in flight %v", found, k.have, k.next)
	}
	k.next = nil
}

// drive sends account changes to e until it dies: the default account first, then
// additions, password changes and removals of the others.
func (k *accountKills) drive(t *testing.T, e *engine, rng *rand.Rand) {
	t.Helper()
	c, err := dialAdmin(e)
	if err != nil {
		return
	}
	defer c.Close()
	for {
		others := slices.Sorted(maps.Keys(k.have))
		others = slices.DeleteFunc(others, func(u string) bool { return u == "main" })
		k.next = maps.Clone(k.have)
		var cmd string
		var args map[string]any
		switch op := rng.IntN(3); {
		case k.have["main"] == "":
			k.next["main"] = "pw-main"
			cmd, args = api.CmdAccountSet.Name, map[string]any{"server": "127.0.0.1:5999", "username": "main", "password": "pw-main", "register": false}
		case op == 0 || len(others) == 0:
			k.created++
			user := fmt.Sprintf("u%d", k.created)
			k.next[user] = "pw-" + user
			cmd, args = api.CmdAccountAdd.Name, map[string]any{"server": "127.0.0.1:5998", "username": user, "password": "pw-" + user, "register": false}
		case op == 1:
			user := others[rng.IntN(len(others))]
			k.versions++
			k.next[user] = fmt.Sprintf("pw-%s-v%d", user, k.versions)
			cmd, args = api.CmdAccountUpdate.Name, map[string]any{"id": k.ids[user], "password": k.next[user]}
		default:
			user := others[rng.IntN(len(others))]
			delete(k.next, user)
			cmd, args = api.CmdAccountRemove.Name, map[string]any{"id": k.ids[user]}
		}
		r, err := call(c, cmd, args)
		if err != nil {
			return
		}
		if !r.OK {
			t.Fatalf("%s %v: %+v", cmd, args, r.Error)
		}
		if cmd == api.CmdAccountAdd.Name {
			var info api.AccountInfo
			if json.Unmarshal(r.Result, &info) == nil {
				k.ids[info.Username] = info.ID
			}
		}
		k.have, k.next = k.next, nil
		k.acked++
	}
}

//go:build unix

package e2e

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// history is what the kill test sent to the engines and what they acknowledged.
type history struct {
	accounts       []testAccount // every account.set sent, in order
	acked          int           // index in accounts of the account in force, -1: none
	inflight       int           // index of an account.set sent and not acknowledged, -1: none
	ackedSets      int
	paired         []string // origins whose pair.approve was acknowledged
	inflightOrigin string   // an origin whose pair.approve was sent and not acknowledged
	pairTries      int
	settings       int
	rtpAcked       int // the rtpTimeout of the last settings.set acknowledged, 0: none yet
	rtpInflight    int // the rtpTimeout of a settings.set sent and not acknowledged, 0: none
}

type testAccount struct{ user, password string }

// dataFiles are the only names an engine without wss keeps in its data directory:
// its documents, and the history database (with SQLite's log and index beside it),
// which a page's first connection opens to count the unread messages.
var dataFiles = []string{"account.json", "admin.sock", "pairings.json", "secrets.json", "settings.json", "token",
	"history.db", "history.db-wal", "history.db-shm"}

// check fails unless dir, as a restarted engine left it, holds whole owner-only files
// only, the account in force or the one in flight with that account's password alone
// in secrets.json, and every acknowledged pairing. The account found is then the one
// in force; check returns its user name ("" for none).
func (h *history) check(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(dataFiles, e.Name()) {
			t.Errorf("stray file %s in the data directory", e.Name())
		}
	}
	user, entry := h.checkAccount(t, dir)
	h.checkSecrets(t, dir, user, entry)
	h.checkPairings(t, dir)
	h.checkSettings(t, dir)
	for _, e := range entries {
		h.checkNoPassword(t, dir, e, user)
	}
	if t.Failed() {
		t.FailNow()
	}
	return user
}

// checkAccount reads account.json: the account must be the one in force or the one in
// flight. It returns the user and the keeper entry the file names.
func (h *history) checkAccount(t *testing.T, dir string) (string, int) {
	t.Helper()
	var doc struct {
		Version  int `json:"version"`
		Accounts []struct {
			Username string `json:"username"`
		} `json:"accounts"`
		PasswordEntry int `json:"passwordEntry"`
	}
	found := -1
	if readJSON(t, filepath.Join(dir, "account.json"), &doc) {
		if doc.Version != 2 || len(doc.Accounts) != 1 {
			t.Fatalf("account.json: version %d with %d accounts", doc.Version, len(doc.Accounts))
		}
		found = slices.IndexFunc(h.accounts, func(a testAccount) bool { return a.user == doc.Accounts[0].Username })
		if found < 0 {
			t.Fatalf("account.json holds %q, never set", doc.Accounts[0].Username)
		}
	}
	if found != h.acked && found != h.inflight {
		t.Fatalf("account.json holds account %d; the last acknowledged is %d, the one in flight %d", found, h.acked, h.inflight)
	}
	h.acked, h.inflight = found, -1
	if found < 0 {
		return "", 0
	}
	return h.accounts[found].user, doc.PasswordEntry
}

// checkSecrets requires secrets.json to hold the password of user alone, under the
// entry account.json names.
func (h *history) checkSecrets(t *testing.T, dir, user string, entry int) {
	t.Helper()
	var doc struct {
		Secrets map[string]string `json:"secrets"`
	}
	readJSON(t, filepath.Join(dir, "secrets.json"), &doc)
	want := map[string]string{}
	if user != "" {
		name := "sip-password:" + dir
		if entry == 1 {
			name += "#1"
		}
		want[name] = h.accounts[h.acked].password
	}
	if len(doc.Secrets) != len(want) || len(want) == 1 && doc.Secrets[keyOf(want)] != want[keyOf(want)] {
		t.Errorf("secrets.json holds %d secrets (%v); want only %s's password under %q", len(doc.Secrets), keys(doc.Secrets), user, keyOf(want))
	}
}

// checkSettings requires settings.json, when there is one, to hold the rtpTimeout of
// the last acknowledged settings.set or of the one in flight; without one, none
// must have been acknowledged. The value found is then the one in force.
func (h *history) checkSettings(t *testing.T, dir string) {
	t.Helper()
	var doc struct {
		RTPTimeout int `json:"rtpTimeout"`
	}
	if !readJSON(t, filepath.Join(dir, "settings.json"), &doc) {
		doc.RTPTimeout = 0
	}
	if doc.RTPTimeout != h.rtpAcked && doc.RTPTimeout != h.rtpInflight {
		t.Fatalf("settings.json holds rtpTimeout %d; the last acknowledged is %d, the one in flight %d", doc.RTPTimeout, h.rtpAcked, h.rtpInflight)
	}
	h.rtpAcked, h.rtpInflight = doc.RTPTimeout, 0
}

// checkPairings requires every acknowledged pairing in pairings.json.
func (h *history) checkPairings(t *testing.T, dir string) {
	t.Helper()
	var doc struct {
		Pairings []struct {
			Origin string `json:"origin"`
		} `json:"pairings"`
	}
	readJSON(t, filepath.Join(dir, "pairings.json"), &doc)
	have := map[string]bool{}
	for _, p := range doc.Pairings {
		have[p.Origin] = true
	}
	for _, o := range h.paired {
		if !have[o] {
			t.Errorf("pairings.json lost the acknowledged pairing of %s", o)
		}
	}
	if o := h.inflightOrigin; o != "" && have[o] {
		h.paired = append(h.paired, o)
	}
	h.inflightOrigin = ""
}

// checkNoPassword requires e to be owner-only and to hold no password, but for
// secrets.json, which may hold user's.
func (h *history) checkNoPassword(t *testing.T, dir string, e fs.DirEntry, user string) {
	t.Helper()
	if !e.Type().IsRegular() {
		return
	}
	path := filepath.Join(dir, e.Name())
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s: mode %v, %v; want owner-only", e.Name(), fi.Mode(), err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range h.accounts {
		if strings.Contains(string(data), a.password) && (e.Name() != "secrets.json" || a.user != user) {
			t.Errorf("%s holds the password of %s (the account is %q)", e.Name(), a.user, user)
		}
	}
}

// readJSON decodes path into v; it reports false when there is no such file.
func readJSON(t *testing.T, path string, v any) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s does not parse: %v\n%s", filepath.Base(path), err, data)
	}
	return true
}

func keyOf(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

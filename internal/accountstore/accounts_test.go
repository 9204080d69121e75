package accountstore

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/account"
)

// keeperHolds returns every secret of the owner-only secrets file in dir.
func keeperHolds(t *testing.T, dir string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "secrets.json"))
	if os.IsNotExist(err) {
		return map[string]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Secrets map[string]string }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.Secrets == nil {
		return map[string]string{}
	}
	return f.Secrets
}

// assertAccounts fails unless the store holds want (user names by id, in order),
// each with its password from passwords, and the keeper holds those passwords in the
// entries the file names and nothing else.
func assertAccounts(t *testing.T, dir string, accounts *Store, want []account.Entry) {
	t.Helper()
	got, err := accounts.LoadAll()
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs, wantIDs []string
	for _, e := range got {
		gotIDs = append(gotIDs, e.ID+":"+e.Account.Username+":"+e.Account.Password)
	}
	for _, e := range want {
		wantIDs = append(wantIDs, e.ID+":"+e.Account.Username+":"+passwords[e.Account.Username])
	}
	if !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Errorf("accounts %q, want %q", gotIDs, wantIDs)
	}
	doc, _, _ := accounts.readDoc()
	named := map[string]string{}
	for _, r := range doc.Accounts {
		named[accounts.entryOf(r.ID, r.PasswordEntry)] = passwords[r.Username]
	}
	if held := keeperHolds(t, dir); !maps.Equal(held, named) {
		t.Errorf("keeper holds %v, want %v", held, named)
	}
}

func entry(id, user string) account.Entry {
	return account.Entry{ID: id, Account: account.Account{Server: "pbx", Username: user, Password: passwords[user]}}
}

// Accounts added, changed and removed keep their own passwords in entries of their
// own; ids are never given twice, and a restarted engine finds the same.
func TestSeveralAccountsKeepTheirOwnPasswords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	accounts, _ := openAccounts(t, dir)
	for _, user := range []string{"alice", "bob"} {
		if _, err := accounts.Add(entry("", user).Account); err != nil {
			t.Fatal(err)
		}
	}
	if err := accounts.Update("2", entry("", "carol").Account); err != nil {
		t.Fatal(err)
	}
	assertAccounts(t, dir, accounts, []account.Entry{entry("1", "alice"), entry("2", "carol")})
	if err := accounts.Remove("2"); err != nil {
		t.Fatal(err)
	}
	id, err := accounts.Add(entry("", "bob").Account)
	if err != nil || id != "3" {
		t.Fatalf("an account added after account 2 was removed has id %q (%v), want 3", id, err)
	}
	again, _ := startAccounts(t, dir)
	assertAccounts(t, dir, again, []account.Entry{entry("1", "alice"), entry("3", "bob")})
	if err := again.Update("2", entry("", "bob").Account); err == nil {
		t.Error("a removed account was updated")
	}
}

// The single-account files of earlier releases become account 1 at the first start,
// with their password where it was, and the file says so.
func TestMigrationNumbersTheAccountsOfEarlierFiles(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		ids     []string
	}{
		{"release-1/current", []string{"1"}},
		{"format-2", []string{"1", "2"}},
		{"release-1/password-in-account", []string{"1"}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := copyFixture(t, tc.fixture)
			before := keeperHolds(t, dir)
			accounts, _ := startAccounts(t, dir)
			data, err := os.ReadFile(filepath.Join(dir, "account.json"))
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				Accounts []struct{ ID string }
				NextID   int
			}
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range raw.Accounts {
				ids = append(ids, a.ID)
			}
			if !reflect.DeepEqual(ids, tc.ids) || raw.NextID != len(tc.ids)+1 {
				t.Fatalf("the file after the first start has ids %q and next %d: %s", ids, raw.NextID, data)
			}
			if strings.Contains(string(data), "hunter2") {
				t.Fatalf("the migrated file holds the password: %s", data)
			}
			all, err := accounts.LoadAll()
			if err != nil || len(all) != len(tc.ids) || all[0].Account.Password == "" {
				t.Fatalf("after migration: %+v, %v", all, err)
			}
			for name, pw := range before {
				if got := keeperHolds(t, dir)[name]; got != pw {
					t.Errorf("keeper entry %s holds %q, want %q as before", name, got, pw)
				}
			}
		})
	}
}

// The engine killed while it migrates leaves the old file, and perhaps the new one
// as a temporary file: the next start migrates it again, to the same.
func TestMigrationCutShortIsDoneAgain(t *testing.T) {
	dir := copyFixture(t, "release-1/current")
	if err := os.WriteFile(filepath.Join(dir, ".tmp-4242"), []byte(`{"version":2,"accounts":[{"id":"1"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	accounts, _ := startAccounts(t, dir)
	got, err := accounts.LoadAll()
	if err != nil || len(got) != 1 || got[0].ID != "1" || !reflect.DeepEqual(got[0].Account, agent1001) {
		t.Fatalf("after a migration cut short: %+v, %v", got, err)
	}
}

// Every state an addition, a change or a removal of a second account can be cut in
// comes back at start as whole accounts, old or new, each with its own password,
// and no other password in the keeper.
func TestRecoverSeveralAccountsFromEveryIntermediateState(t *testing.T) {
	alice, bob := entry("1", "alice"), entry("2", "bob")
	for _, tc := range []struct {
		name  string
		cut   func(t *testing.T, s *Store) // the change, cut where the engine died
		wants []account.Entry
		next  string // the id of the account added after the start
	}{
		{"add: died before the account file", func(t *testing.T, s *Store) {
			set(t, s, "2", 0, "pw-bob")
		}, []account.Entry{alice}, "2"}, // never given: its leftover entry is gone
		{"add: done", func(t *testing.T, s *Store) {
			if _, err := s.Add(bob.Account); err != nil {
				t.Fatal(err)
			}
		}, []account.Entry{alice, bob}, "3"},
		{"change: died before the account file", func(t *testing.T, s *Store) {
			if _, err := s.Add(bob.Account); err != nil {
				t.Fatal(err)
			}
			set(t, s, "2", 1, "pw-carol")
		}, []account.Entry{alice, bob}, "3"},
		{"change: died before deleting the old password", func(t *testing.T, s *Store) {
			if _, err := s.Add(bob.Account); err != nil {
				t.Fatal(err)
			}
			set(t, s, "2", 1, "pw-carol")
			doc, _, _ := s.readDoc()
			doc.Accounts[1].Account.Username, doc.Accounts[1].PasswordEntry = "carol", 1
			if err := s.write(doc); err != nil {
				t.Fatal(err)
			}
		}, []account.Entry{alice, entry("2", "carol")}, "3"},
		{"remove: died before deleting the passwords", func(t *testing.T, s *Store) {
			if _, err := s.Add(bob.Account); err != nil {
				t.Fatal(err)
			}
			doc, _, _ := s.readDoc()
			doc.Accounts, doc.Retired = doc.Accounts[:1], []string{"2"}
			if err := s.write(doc); err != nil {
				t.Fatal(err)
			}
		}, []account.Entry{alice}, "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			accounts, _ := openAccounts(t, dir)
			if _, err := accounts.Add(alice.Account); err != nil {
				t.Fatal(err)
			}
			tc.cut(t, accounts)
			again, _ := startAccounts(t, dir)
			assertAccounts(t, dir, again, tc.wants)
			if id, err := again.Add(entry("", "carol").Account); err != nil || id != tc.next {
				t.Errorf("the next account has id %q (%v), want %s", id, err, tc.next)
			}
		})
	}
}

func set(t *testing.T, s *Store, id string, e int, pw string) {
	t.Helper()
	if err := s.setEntry(id, e, pw); err != nil {
		t.Fatal(err)
	}
}

// A file whose ids or entries make no sense is corrupt: nothing is guessed.
func TestAccountIDsAreChecked(t *testing.T) {
	for _, bad := range []string{
		`{"version":2,"accounts":[{"id":"2","username":"a"},{"id":"2","username":"b"}]}`,
		`{"version":2,"accounts":[{"id":"x","username":"a"}]}`,
		`{"version":2,"accounts":[{"id":"02","username":"a"}]}`,
		`{"version":2,"accounts":[{"id":"2","username":"a","passwordEntry":2}]}`,
		`{"version":2,"accounts":[],"passwordEntry":3}`,
	} {
		if _, err := decode([]byte(bad)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", bad, err)
		}
	}
}

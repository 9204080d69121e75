package accountstore

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/secret"
	"github.com/wpservice/wpservice/internal/store"
)

// onDisk is a data directory as a change of account may leave it when the engine
// dies: the account file (user "" for none) naming a password entry, the keeper's
// entries, and a temporary file of an interrupted write holding leftover text.
type onDisk struct {
	user     string
	entry    int
	entries  map[int]string
	leftover string
}

// passwords of the accounts the cases change between.
var passwords = map[string]string{"alice": "pw-alice", "bob": "pw-bob", "carol": "pw-carol"}

// Every state a change can be cut in, in both directions between the entries, comes
// back at start as one whole account, the old or the new, with its own password, and
// no other password anywhere in the data directory.
func TestRecoverFromEveryIntermediateState(t *testing.T) {
	for _, tc := range []struct {
		name string
		disk onDisk
		want string // the account loaded, "" for none
	}{
		{"alice to bob: died writing the new password", onDisk{"alice", 0, map[int]string{0: "pw-alice"}, "pw-alice pw-bob"}, "alice"},
		{"alice to bob: died before the account file", onDisk{"alice", 0, map[int]string{0: "pw-alice", 1: "pw-bob"}, "bob"}, "alice"},
		{"alice to bob: died before deleting the old password", onDisk{"bob", 1, map[int]string{0: "pw-alice", 1: "pw-bob"}, ""}, "bob"},
		{"alice to bob: done", onDisk{"bob", 1, map[int]string{1: "pw-bob"}, ""}, "bob"},
		{"bob to carol: died before the account file", onDisk{"bob", 1, map[int]string{0: "pw-carol", 1: "pw-bob"}, "carol pw-carol"}, "bob"},
		{"bob to carol: died before deleting the old password", onDisk{"carol", 0, map[int]string{0: "pw-carol", 1: "pw-bob"}, ""}, "carol"},
		{"first account: died before the account file", onDisk{"", 0, map[int]string{0: "pw-alice"}, "alice"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			lay(t, dir, tc.disk)

			accounts, keeper := startAccounts(t, dir)
			acc, err := accounts.Load()
			if err != nil || acc.Username != tc.want || acc.Password != passwords[tc.want] {
				t.Fatalf("loaded %q with password %q (%v), want %q with %q", acc.Username, acc.Password, err, tc.want, passwords[tc.want])
			}
			assertOnlyPassword(t, dir, keeper, accounts, tc.want)
		})
	}
}

// A file Recover cannot read names no entry it could trust: it deletes nothing.
func TestRecoverLeavesTheEntriesOfAnUnreadableFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	accounts, keeper := openAccounts(t, dir)
	if err := keeper.Set(accounts.entryName(1), "pw-newer"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "account.json"), []byte(`{"version": 3, "passwordEntry": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := accounts.Recover(); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("recover over a newer file: %v", err)
	}
	if pw, err := keeper.Get(accounts.entryName(1)); err != nil || pw != "pw-newer" {
		t.Fatalf("the newer release's password: %q, %v", pw, err)
	}
}

// SaveAccount writes in the order the recovery rule relies on: the new password while
// the account file still names the old entry, the old entry's delete once it names
// the new one.
func TestSaveAccountWritesThePasswordFirstAndDeletesTheOldLast(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	keeper := &watchingKeeper{File: secret.File{Path: filepath.Join(dir, "secrets.json")}}
	accounts := New(st, keeper)
	keeper.named = func() string { doc, _, _ := accounts.readDoc(); return doc.Accounts[0].Username }
	if err := accounts.SaveAccount(account.Account{Server: "pbx", Username: "alice", Password: "pw-alice"}); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"bob", "carol"} {
		keeper.log = nil
		if err := accounts.SaveAccount(account.Account{Server: "pbx", Username: user, Password: passwords[user]}); err != nil {
			t.Fatal(err)
		}
		if len(keeper.log) != 2 || keeper.log[0].op != "set" || keeper.log[1].op != "delete" ||
			keeper.log[0].fileNames == user || keeper.log[1].fileNames != user {
			t.Fatalf("changing to %s: %+v", user, keeper.log)
		}
	}
	assertOnlyPassword(t, dir, &keeper.File, accounts, "carol")
}

// watchingKeeper records, for each change to the keeper, which account the account
// file named at that moment. It skips the file's absence, before the first save.
type watchingKeeper struct {
	secret.File
	named func() string
	log   []keeperCall
}

type keeperCall struct{ op, fileNames string }

func (k *watchingKeeper) Set(name, value string) error {
	k.record("set")
	return k.File.Set(name, value)
}

func (k *watchingKeeper) Delete(name string) error {
	k.record("delete")
	return k.File.Delete(name)
}

func (k *watchingKeeper) record(op string) {
	if _, err := os.Stat(filepath.Join(filepath.Dir(k.Path), "account.json")); err == nil {
		k.log = append(k.log, keeperCall{op, k.named()})
	}
}

// lay writes d into dir, as a dead engine left it.
func lay(t *testing.T, dir string, d onDisk) {
	t.Helper()
	accounts, keeper := openAccounts(t, dir)
	if d.user != "" {
		doc := document{Version: FormatVersion, Accounts: []record{{Account: account.Account{Server: "pbx", Username: d.user}}}, PasswordEntry: d.entry}
		if err := accounts.docs.Save(docName, doc); err != nil {
			t.Fatal(err)
		}
	}
	for e, pw := range d.entries {
		if err := keeper.Set(accounts.entryName(e), pw); err != nil {
			t.Fatal(err)
		}
	}
	if d.leftover != "" {
		if err := os.WriteFile(filepath.Join(dir, ".tmp-4242"), []byte(d.leftover), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// startAccounts opens dir as the engine does at start: the store, then Recover.
func startAccounts(t *testing.T, dir string) (*Store, *secret.File) {
	t.Helper()
	accounts, keeper := openAccounts(t, dir)
	if err := accounts.Recover(); err != nil {
		t.Fatal(err)
	}
	return accounts, keeper
}

// assertOnlyPassword fails unless the keeper holds user's password alone (nothing
// for ""), in the entry the account file names, and no other file in dir holds any
// password.
func assertOnlyPassword(t *testing.T, dir string, keeper *secret.File, accounts *Store, user string) {
	t.Helper()
	want := map[string]string{}
	if user != "" {
		doc, _, _ := accounts.readDoc()
		want[accounts.entryName(doc.PasswordEntry)] = passwords[user]
	}
	got := map[string]string{}
	for e := range 2 {
		if pw, err := keeper.Get(accounts.entryName(e)); err == nil {
			got[accounts.entryName(e)] = pw
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("keeper holds %v, want %v", got, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for u, pw := range passwords {
			if strings.Contains(string(data), pw) && (e.Name() != "secrets.json" || u != user) {
				t.Errorf("%s holds %s's password", e.Name(), u)
			}
		}
	}
}

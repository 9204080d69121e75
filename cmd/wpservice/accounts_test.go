package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/phone"
	"github.com/wpservice/wpservice/internal/secret"
	"github.com/wpservice/wpservice/internal/store"
)

const password = "s3cret-Pa55 word"

func openAccounts(t *testing.T, dir string) (accountStore, *secret.File) {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	keeper := &secret.File{Path: filepath.Join(dir, "secrets.json")}
	return newAccountStore(st, keeper), keeper
}

func TestAccountPasswordLivesInTheKeeper(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	accounts, keeper := openAccounts(t, dir)
	acc := phone.Account{Server: "pbx.example.com", Username: "alice", Password: password, Register: true}
	if err := accounts.SaveAccount(acc); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "account.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), password) || !strings.Contains(string(data), "alice") {
		t.Fatalf("account file holds the password or lacks the account: %s", data)
	}
	if got, err := keeper.Get(accounts.name); err != nil || got != password {
		t.Fatalf("keeper has %q, %v", got, err)
	}
	// A restarted engine gets the whole account back.
	again, _ := openAccounts(t, dir)
	loaded, err := again.load()
	if err != nil || loaded.Password != password || loaded.Username != "alice" {
		t.Fatalf("load = %+v, %v", loaded, err)
	}
	// Clearing the password removes it from the keeper.
	acc.Password = ""
	if err := accounts.SaveAccount(acc); err != nil {
		t.Fatal(err)
	}
	if _, err := keeper.Get(accounts.name); err == nil {
		t.Fatal("a cleared password is still kept")
	}
}

func TestPasswordInOldAccountFileMovesToTheKeeper(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save("account", phone.Account{Server: "pbx", Username: "bob", Password: password}); err != nil {
		t.Fatal(err)
	}
	accounts, keeper := openAccounts(t, dir)
	loaded, err := accounts.load()
	if err != nil || loaded.Password != password {
		t.Fatalf("load = %+v, %v", loaded, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "account.json"))
	if strings.Contains(string(data), password) {
		t.Fatal("the password stayed in the account file")
	}
	if got, _ := keeper.Get(accounts.name); got != password {
		t.Fatalf("keeper has %q", got)
	}
}

func TestEachDataDirHasItsOwnPassword(t *testing.T) {
	a, _ := openAccounts(t, filepath.Join(t.TempDir(), "one"))
	b, _ := openAccounts(t, filepath.Join(t.TempDir(), "two"))
	if a.name == b.name {
		t.Fatalf("two engines share the keyring entry %q", a.name)
	}
}

package accountstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/secret"
	"github.com/wpservice/wpservice/internal/store"
)

const password = "s3cret-Pa55 word"

func openAccounts(t *testing.T, dir string) (*Store, *secret.File) {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	keeper := &secret.File{Path: filepath.Join(dir, "secrets.json")}
	return New(st, keeper), keeper
}

func TestAccountPasswordLivesInTheKeeper(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	accounts, keeper := openAccounts(t, dir)
	acc := account.Account{Server: "pbx.example.com", Username: "alice", Password: password, Register: true}
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
	if got, err := keeper.Get(accounts.passwordName()); err != nil || got != password {
		t.Fatalf("keeper has %q, %v", got, err)
	}
	// A restarted engine gets the whole account back.
	again, _ := openAccounts(t, dir)
	loaded, err := again.Load()
	if err != nil || loaded.Password != password || loaded.Username != "alice" {
		t.Fatalf("load = %+v, %v", loaded, err)
	}
	// Clearing the password removes it from the keeper.
	acc.Password = ""
	if err := accounts.SaveAccount(acc); err != nil {
		t.Fatal(err)
	}
	if _, err := keeper.Get(accounts.passwordName()); err == nil {
		t.Fatal("a cleared password is still kept")
	}
}

func TestPasswordInOldAccountFileMovesToTheKeeper(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save("account", release1Account{Server: "pbx", Username: "bob", Password: password}); err != nil {
		t.Fatal(err)
	}
	accounts, keeper := openAccounts(t, dir)
	loaded, err := accounts.Load()
	if err != nil || loaded.Password != password {
		t.Fatalf("load = %+v, %v", loaded, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "account.json"))
	if strings.Contains(string(data), password) {
		t.Fatal("the password stayed in the account file")
	}
	if got, _ := keeper.Get(accounts.passwordName()); got != password {
		t.Fatalf("keeper has %q", got)
	}
}

func TestEachDataDirHasItsOwnPassword(t *testing.T) {
	a, _ := openAccounts(t, filepath.Join(t.TempDir(), "one"))
	b, _ := openAccounts(t, filepath.Join(t.TempDir(), "two"))
	if a.passwordName() == b.passwordName() {
		t.Fatalf("two engines share the keyring entry %q", a.passwordName())
	}
}

func TestNewerFormatIsNeitherReadNorOverwritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	accounts, _ := openAccounts(t, dir)
	newer := `{"version": 3, "accounts": [{"server": "pbx", "username": "alice"}]}`
	if err := os.WriteFile(filepath.Join(dir, "account.json"), []byte(newer), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Load(); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("load of a newer file: %v", err)
	}
	if err := accounts.SaveAccount(account.Account{Server: "pbx", Username: "bob"}); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("save over a newer file: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "account.json")); string(data) != newer {
		t.Fatalf("the newer file was overwritten: %s", data)
	}
}

func TestCorruptFileIsReplacedBySave(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	accounts, _ := openAccounts(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "account.json"), []byte(`{"version": "two"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Load(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("load of a corrupt file: %v", err)
	}
	want := account.Account{Server: "pbx", Username: "bob", Codecs: []string{"PCMU"}}
	if err := accounts.SaveAccount(want); err != nil {
		t.Fatal(err)
	}
	if got, err := accounts.Load(); err != nil || got.Username != "bob" {
		t.Fatalf("after save: %+v, %v", got, err)
	}
}

package accountstore

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/account"
)

// The data directories in testdata are exactly what a release wrote. Every later
// release must load them with every field intact: renaming a JSON name, dropping a
// format or moving the password's keeper entry fails here.

// copyFixture copies testdata/<name> into a fresh owner-only data directory, with
// {{dataDir}} in the secrets file replaced by that directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(dir)
	dirInJSON := strings.Trim(string(quoted), `"`)
	src := filepath.Join("testdata", name)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.ReplaceAll(string(data), "{{dataDir}}", dirInJSON))
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadFixture(t *testing.T, name string) (account.Account, string) {
	t.Helper()
	dir := copyFixture(t, name)
	accounts, _ := openAccounts(t, dir)
	acc, err := accounts.Load()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return acc, dir
}

// agent1001 is the first account of testdata/release-1/current and of format-2.
var agent1001 = account.Account{
	Server: "pbx.example.com:5080", Username: "1001", AuthUsername: "auth-1001", Password: "s3cret-Pa55 word",
	DisplayName: "Zoë Ångström 李", Transport: "tcp", OutboundProxy: "proxy.example.com:5060",
	RegisterInterval: 600, Codecs: []string{"PCMA", "PCMU"}, Register: true,
}

func TestRelease1AccountLoads(t *testing.T) {
	got, _ := loadFixture(t, "release-1/current")
	if !reflect.DeepEqual(got, agent1001) {
		t.Errorf("release 1 account\n got %+v\nwant %+v", got, agent1001)
	}
}

func TestRelease1PasswordInAccountFileLoadsAndMoves(t *testing.T) {
	want := account.Account{
		Server: "sip.example.org", Username: "bob", Password: "hunter2 ", DisplayName: `Bob "B" Müller`,
		Transport: "udp", RegisterInterval: 300, Codecs: []string{"PCMU", "PCMA"}, Register: false,
	}
	got, dir := loadFixture(t, "release-1/password-in-account")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("release 1 account with password\n got %+v\nwant %+v", got, want)
	}
	data, err := os.ReadFile(filepath.Join(dir, "account.json"))
	if err != nil || strings.Contains(string(data), "hunter2") {
		t.Fatalf("the password stayed in the account file (%v): %s", err, data)
	}
	// The keeper entry has the name release 1 gave it, and the rewritten file loads.
	accounts, keeper := openAccounts(t, dir)
	if pw, err := keeper.Get("sip-password:" + dir); err != nil || pw != want.Password {
		t.Fatalf("keeper has %q, %v", pw, err)
	}
	again, err := accounts.Load()
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("after the move: %+v, %v", again, err)
	}
}

func TestFormat2AccountsLoad(t *testing.T) {
	got, dir := loadFixture(t, "format-2")
	if !reflect.DeepEqual(got, agent1001) {
		t.Fatalf("format 2 account\n got %+v\nwant %+v", got, agent1001)
	}
	// The engine saves its one account; the file's other accounts stay.
	accounts, _ := openAccounts(t, dir)
	got.DisplayName = "Alice"
	if err := accounts.SaveAccount(got); err != nil {
		t.Fatal(err)
	}
	saved, err := accounts.read()
	if err != nil || len(saved) != 2 || saved[0].DisplayName != "Alice" || saved[1].Username != "2002" {
		t.Fatalf("after saving the first account: %+v, %v", saved, err)
	}
}

func TestSavedAccountKeepsEveryField(t *testing.T) {
	acc := agent1001
	acc.Codecs = []string{"PCMU"}
	acc.MediaEncryption = "mandatory"
	acc.VoicemailNumber = "*97"
	assertEveryFieldSet(t, acc)
	dir := filepath.Join(t.TempDir(), "data")
	accounts, _ := openAccounts(t, dir)
	if err := accounts.SaveAccount(acc); err != nil {
		t.Fatal(err)
	}
	again, _ := openAccounts(t, dir)
	got, err := again.Load()
	if err != nil || !reflect.DeepEqual(got, acc) {
		t.Fatalf("saved and loaded\n got %+v\nwant %+v (%v)", got, acc, err)
	}
}

// assertEveryFieldSet fails when a field of acc is its zero value, so that a field
// added to account.Account must be added to the fixtures' expectations too.
func assertEveryFieldSet(t *testing.T, acc account.Account) {
	t.Helper()
	v := reflect.ValueOf(acc)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("the fixture account leaves %s empty", v.Type().Field(i).Name)
		}
	}
}

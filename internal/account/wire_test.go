package account

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

func full() Account {
	return Account{
		Server: "pbx.example.com", Username: "alice", AuthUsername: "auth-alice", Password: "hunter2",
		DisplayName: "Alice", Transport: "tcp", OutboundProxy: "proxy.example.com", RegisterInterval: 600,
		Codecs: []string{"PCMA", "PCMU"}, Register: true, MediaEncryption: "optional", VoicemailNumber: "*97",
	}
}

func TestPublicReportsEveryFieldButThePassword(t *testing.T) {
	a := full()
	assertNoZeroField(t, a)
	pub := a.Public()
	assertNoZeroField(t, pub)
	data, _ := json.Marshal(pub)
	if strings.Contains(string(data), a.Password) {
		t.Errorf("the password leaked: %s", data)
	}
	pub.Codecs[0] = "changed"
	if a.Codecs[0] != "PCMA" {
		t.Error("the public account shares its codec list with the account")
	}
	if (Account{}).Public().HasPassword {
		t.Error("an account without a password reports one")
	}
}

// Each field account.set can send reaches the account, under the same name.
func TestMergeSetsEveryField(t *testing.T) {
	args := api.AccountArgs{
		Server: ptr(" pbx "), Username: ptr("alice"), AuthUsername: ptr("auth"), Password: ptr(" pw "),
		DisplayName: ptr("Alice"), Transport: ptr("tls"), OutboundProxy: ptr("proxy"),
		RegisterInterval: ptr(60), Codecs: &[]string{"PCMU"}, Register: ptr(true),
		MediaEncryption: ptr(" optional "), VoicemailNumber: ptr(" *97 "),
	}
	assertNoZeroField(t, args)
	got := Account{}.Merge(args)
	av, gv := reflect.ValueOf(args), reflect.ValueOf(got)
	for i := range av.NumField() {
		name := av.Type().Field(i).Name
		want := av.Field(i).Elem().Interface()
		if s, ok := want.(string); ok && name != "Password" {
			want = strings.TrimSpace(s)
		}
		if have := gv.FieldByName(name).Interface(); !reflect.DeepEqual(have, want) {
			t.Errorf("%s: got %#v, want %#v", name, have, want)
		}
	}
}

func TestMergeKeepsOmittedFieldsAndOwnsItsCodecs(t *testing.T) {
	a := full()
	got := a.Merge(api.AccountArgs{})
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("an empty merge changed the account: %+v", got)
	}
	got.Codecs[0] = "changed"
	if a.Codecs[0] != "PCMA" {
		t.Error("the merged account shares its codec list with the original")
	}
	codecs := []string{"PCMU"}
	got = a.Merge(api.AccountArgs{Codecs: &codecs})
	codecs[0] = "changed"
	if got.Codecs[0] != "PCMU" {
		t.Error("the merged account shares its codec list with the arguments")
	}
}

package account

import (
	"reflect"
	"testing"

	"github.com/wpservice/wpservice/internal/config"
)

// The configuration files in testdata are written as administrators wrote them for
// release 1. Their account must keep reading the same, field by field.
func TestRelease1ConfigAccountReads(t *testing.T) {
	c, err := config.Load("testdata/release-1/config.json")
	if err != nil {
		t.Fatal(err)
	}
	want := Account{
		Server: "pbx.example.com:5080", Username: "1001", AuthUsername: "auth-1001", Password: "change-me ",
		DisplayName: "Zoë Ångström 李", Transport: "tcp", OutboundProxy: "proxy.example.com:5060",
		RegisterInterval: 600, Codecs: []string{"PCMA", "PCMU"}, Register: false,
	}
	if got := FromConfig(*c.Account); !reflect.DeepEqual(got, want) {
		t.Errorf("provisioned account\n got %+v\nwant %+v", got, want)
	}
	if s := c.Settings; s.RTPTimeout != 60 || !s.AutoAnswer || s.DTMFDelayMS != 1500 || s.MaxLines != 2 {
		t.Errorf("settings %+v", s)
	}
}

func TestRelease1MinimalConfigAccountTakesTheDefaults(t *testing.T) {
	c, err := config.Load("testdata/release-1/config-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	want := Account{
		Server: "127.0.0.1:5060", Username: "test1", Password: "test1", Transport: "udp",
		RegisterInterval: 300, Codecs: []string{"PCMU", "PCMA"}, Register: true,
	}
	got := FromConfig(*c.Account).Normalize()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("provisioned account\n got %+v\nwant %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
}

// Every field an administrator can write reaches the account.
func TestFromConfigCopiesEveryField(t *testing.T) {
	no := false
	c := config.Account{
		Server: "s", Username: "u", AuthUsername: "a", Password: "p", DisplayName: "d", Transport: "tcp",
		OutboundProxy: "o", RegisterInterval: 60, Codecs: []string{"PCMA"}, Register: &no,
		MediaEncryption: "mandatory", VoicemailNumber: "*97",
	}
	assertNoZeroField(t, c)
	got := FromConfig(c)
	got.Register = !got.Register // false, from the file, is the zero value
	assertNoZeroField(t, got)
}

package account

import (
	"errors"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

func TestValidateNamesTheBadField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Account)
		field string
	}{
		{"server with CRLF", func(a *Account) { a.Server = "pbx\r\nVia: x" }, "server"},
		{"server too long", func(a *Account) { a.Server = strings.Repeat("a", 256) }, "server"},
		{"username with @", func(a *Account) { a.Username = "alice@pbx" }, "username"},
		{"auth user with space", func(a *Account) { a.AuthUsername = "a b" }, "authUsername"},
		{"proxy with <", func(a *Account) { a.OutboundProxy = "<proxy>" }, "outboundProxy"},
		{"display name with LF", func(a *Account) { a.DisplayName = "A\nB" }, "displayName"},
		{"display name not UTF-8", func(a *Account) { a.DisplayName = "\xff" }, "displayName"},
		{"display name too long", func(a *Account) { a.DisplayName = strings.Repeat("é", 65) }, "displayName"},
		{"password with NUL", func(a *Account) { a.Password = "a\x00" }, "password"},
		{"password too long", func(a *Account) { a.Password = strings.Repeat("p", 256) }, "password"},
		{"transport sctp", func(a *Account) { a.Transport = "sctp" }, "transport"},
		{"transport upper case", func(a *Account) { a.Transport = "TCP" }, "transport"},
		{"interval too short", func(a *Account) { a.RegisterInterval = 29 }, "registerInterval"},
		{"interval too long", func(a *Account) { a.RegisterInterval = 86401 }, "registerInterval"},
		{"interval negative", func(a *Account) { a.RegisterInterval = -1 }, "registerInterval"},
		{"unknown codec", func(a *Account) { a.Codecs = []string{"PCMU", "G729"} }, "codecs"},
		{"codec twice", func(a *Account) { a.Codecs = []string{"PCMU", "pcmu"} }, "codecs"},
	}
	for _, tt := range tests {
		a := full()
		tt.edit(&a)
		var arg *api.ArgError
		if err := a.Validate(); !errors.As(err, &arg) || arg.Field != tt.field {
			t.Errorf("%s: %v, want an argument error on %s", tt.name, err, tt.field)
		}
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, a := range []Account{
		{}, // nothing set: every field takes its default
		full(),
		{Server: "[::1]:5060", Username: "1001", DisplayName: `Bob "B" Müller \ 李`, Password: " spaced ", Codecs: []string{"pcma"}},
		{Server: "pbx", Username: "a", RegisterInterval: 30, Transport: "tls"},
		{Server: "pbx", Username: "a", RegisterInterval: 86400, Transport: "udp"},
	} {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

func TestNotConfiguredIsNoAccount(t *testing.T) {
	if !errors.Is(ErrNotConfigured, api.ErrNoAccount) {
		t.Error("ErrNotConfigured does not wrap api.ErrNoAccount")
	}
	if (Account{Server: "pbx"}).Configured() || (Account{Username: "a"}).Configured() || !full().Configured() {
		t.Error("Configured needs a server and a user")
	}
}

func TestValidateMediaEncryption(t *testing.T) {
	for _, v := range []string{"", "off", "optional", "mandatory"} {
		if err := (Account{MediaEncryption: v}).Validate(); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	var argErr *api.ArgError
	if err := (Account{MediaEncryption: "srtp"}).Validate(); !errors.As(err, &argErr) || argErr.Field != "mediaEncryption" {
		t.Errorf(`"srtp": %v, want a mediaEncryption argument error`, err)
	}
	if got := (Account{}).Encryption(); got != api.MediaEncryptionOff {
		t.Errorf("the default policy is %q, want off", got)
	}
}

// An account's voicemail number is a number, a user or a URI: no spaces or
// control characters, at most 64 bytes; none is fine.
func TestValidateVoicemailNumber(t *testing.T) {
	for _, v := range []string{"", "*97", "sip:vm@pbx.example.com", "+15550100"} {
		if err := (Account{VoicemailNumber: v}).Validate(); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	for _, v := range []string{"*9 7", "97\r\n", strings.Repeat("9", 65), "\xff"} {
		var argErr *api.ArgError
		if err := (Account{VoicemailNumber: v}).Validate(); !errors.As(err, &argErr) || argErr.Field != "voicemailNumber" {
			t.Errorf("%q: %v, want a voicemailNumber argument error", v, err)
		}
	}
}

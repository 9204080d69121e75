package account

import (
	"slices"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// Public is the account as the wire contract reports it: never the password, only
// whether there is one.
func (a Account) Public() api.Account {
	return api.Account{
		Server: a.Server, Username: a.Username, AuthUsername: a.AuthUsername, HasPassword: a.Password != "",
		DisplayName: a.DisplayName, Transport: a.Transport, OutboundProxy: a.OutboundProxy,
		RegisterInterval: a.RegisterInterval, Codecs: slices.Clone(a.Codecs), Register: a.Register,
		MediaEncryption: a.MediaEncryption, VoicemailNumber: a.VoicemailNumber,
	}
}

// Merge returns a with the fields that args sets replaced; omitted fields keep their
// value. Text fields lose surrounding white space, except the password, which may
// legitimately start or end with a space. The result is neither normalized nor
// validated.
func (a Account) Merge(args api.AccountArgs) Account {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&a.Server, args.Server)
	set(&a.Username, args.Username)
	set(&a.AuthUsername, args.AuthUsername)
	set(&a.DisplayName, args.DisplayName)
	set(&a.Transport, args.Transport)
	set(&a.OutboundProxy, args.OutboundProxy)
	set(&a.MediaEncryption, args.MediaEncryption)
	set(&a.VoicemailNumber, args.VoicemailNumber)
	if args.Password != nil {
		a.Password = *args.Password
	}
	if args.RegisterInterval != nil {
		a.RegisterInterval = *args.RegisterInterval
	}
	if args.Codecs != nil {
		a.Codecs = slices.Clone(*args.Codecs)
	} else {
		a.Codecs = slices.Clone(a.Codecs)
	}
	if args.Register != nil {
		a.Register = *args.Register
	}
	return a
}

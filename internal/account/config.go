package account

import (
	"slices"

	"github.com/wpservice/wpservice/internal/config"
)

// FromConfig is the account an administrator provisioned in the configuration file.
// It registers unless the file says "register": false.
func FromConfig(c config.Account) Account {
	return Account{
		Server: c.Server, Username: c.Username, AuthUsername: c.AuthUsername, Password: c.Password,
		DisplayName: c.DisplayName, Transport: c.Transport, OutboundProxy: c.OutboundProxy,
		RegisterInterval: c.RegisterInterval, Codecs: slices.Clone(c.Codecs), Register: c.Registers(),
		MediaEncryption: c.MediaEncryption, VoicemailNumber: c.VoicemailNumber,
	}
}

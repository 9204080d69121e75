package account

import (
	"slices"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/codec"
)

// The defaults of an account's empty fields. They are written here and nowhere else.
const (
	DefaultTransport        = api.TransportUDP
	DefaultRegisterInterval = 300 // seconds
	// DefaultMediaEncryption is plain RTP, as most PBXes speak on UDP and
	// TCP. An empty MediaEncryption stays empty (the saved files of earlier
	// releases have none) and means this: see Encryption.
	DefaultMediaEncryption = api.MediaEncryptionOff
)

// Encryption is the account's media encryption policy, the default for none.
func (a Account) Encryption() string {
	if a.MediaEncryption == "" {
		return DefaultMediaEncryption
	}
	return a.MediaEncryption
}

// DefaultCodecs is the codec preference of an account that lists none.
func DefaultCodecs() []string { return []string{"PCMU", "PCMA"} }

// Normalize returns a with its empty fields set to the defaults and its codec names
// spelled as the codec spells them ("pcmu" becomes "PCMU"). Names that are no codec
// are kept for Validate to refuse. a itself is not modified.
func (a Account) Normalize() Account {
	if a.Transport == "" {
		a.Transport = DefaultTransport
	}
	if a.RegisterInterval == 0 {
		a.RegisterInterval = DefaultRegisterInterval
	}
	if len(a.Codecs) == 0 {
		a.Codecs = DefaultCodecs()
		return a
	}
	a.Codecs = slices.Clone(a.Codecs)
	for i, name := range a.Codecs {
		if f, ok := codec.Lookup(name); ok {
			a.Codecs[i] = f.Name
		}
	}
	return a
}

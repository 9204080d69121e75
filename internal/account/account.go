// Package account is the SIP account: one type for the engine, its saved file and the
// configuration file, its defaults, its validation, and one conversion per boundary
// (the wire contract in wire.go, the configuration file in config.go). The SIP stack's
// copy is made by the phone's SIP adapter, the only package that sees both.
package account

// Account is one SIP account, password included. The JSON names are those of the
// saved account file: never rename one (the fixtures of every release must keep
// loading). The password is never written with the account; the secret keeper holds it.
type Account struct {
	Server           string   `json:"server"`       // registrar / SIP domain, host[:port]
	Username         string   `json:"username"`     // user part of the address of record
	AuthUsername     string   `json:"authUsername"` // digest user name; empty: Username
	Password         string   `json:"-"`
	DisplayName      string   `json:"displayName"`
	Transport        string   `json:"transport"`                 // udp | tcp | tls
	OutboundProxy    string   `json:"outboundProxy"`             // host[:port]; empty: none
	RegisterInterval int      `json:"registerInterval"`          // requested expiry, seconds
	Codecs           []string `json:"codecs"`                    // order of preference
	Register         bool     `json:"register"`                  // register automatically
	MediaEncryption  string   `json:"mediaEncryption,omitempty"` // off | optional | mandatory (SRTP)
	VoicemailNumber  string   `json:"voicemailNumber,omitempty"` // what is dialled for its voicemail; empty: none
}

// Configured reports whether the account names a server and a user.
func (a Account) Configured() bool { return a.Server != "" && a.Username != "" }

package api

// Command names. Each has an argument struct below (or none) and a documented result.
const (
	CmdStatus          = "status"           // -> Snapshot
	CmdAccountGet      = "account.get"      // -> Account (no secret; HasPassword tells)
	CmdAccountSet      = "account.set"      // AccountArgs -> Account
	CmdSettingsGet     = "settings.get"     // -> Settings
	CmdSettingsSet     = "settings.set"     // SettingsArgs -> Settings
	CmdRegister        = "register"         // -> {} ; progress on reg.state
	CmdUnregister      = "unregister"       // -> {}
	CmdCallDial        = "call.dial"        // DialArgs -> DialResult
	CmdCallAnswer      = "call.answer"      // CallRef -> {}
	CmdCallReject      = "call.reject"      // RejectArgs -> {}
	CmdCallHangup      = "call.hangup"      // HangupArgs -> {"ended": n}
	CmdCallDTMF        = "call.dtmf"        // DTMFArgs -> {}
	CmdCallMute        = "call.mute"        // MuteArgs -> {}
	CmdCallHold        = "call.hold"        // HoldArgs -> {} ; re-INVITE, then call.state with held
	CmdCallIgnore      = "call.ignore"      // CallRef -> {} ; silence the ringer for an incoming call
	CmdLineSelect      = "line.select"      // LineArgs -> {"line": n}
	CmdDevicesList     = "devices.list"     // -> Devices
	CmdDevicesSelect   = "devices.select"   // DeviceSelectArgs -> Devices
	CmdDevicesVolume   = "devices.volume"   // VolumeArgs -> Devices
	CmdEventsSubscribe = "events.subscribe" // SubscribeArgs -> SubscribeArgs (handled by control, per connection)
	CmdAuth            = "auth"             // AuthArgs -> AuthResult (handled by control; the first message of a browser connection)
	CmdPairList        = "pair.list"        // -> PairingList (admin)
	CmdPairApprove     = "pair.approve"     // OriginArgs -> {} (admin)
	CmdPairDeny        = "pair.deny"        // OriginArgs -> {} (admin)
	CmdPairRevoke      = "pair.revoke"      // OriginArgs -> {} (admin)
)

// Commands lists every command name, sorted; control's dispatch table and the JS
// library are tested against it.
var Commands = []string{
	CmdAccountGet, CmdAccountSet, CmdAuth, CmdCallAnswer, CmdCallDial, CmdCallDTMF, CmdCallHangup,
	CmdCallHold, CmdCallIgnore, CmdCallMute, CmdCallReject, CmdDevicesList, CmdDevicesSelect,
	CmdDevicesVolume, CmdEventsSubscribe,
	CmdLineSelect, CmdPairApprove, CmdPairDeny, CmdPairList, CmdPairRevoke, CmdRegister,
	CmdSettingsGet, CmdSettingsSet, CmdStatus, CmdUnregister,
}

// Transport names accepted in Account.Transport.
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
	TransportTLS = "tls"
)

// AccountArgs sets the SIP account. Omitted (null) fields keep their value; Password
// is write-only and never returned.
type AccountArgs struct {
	Server           *string   `json:"server,omitempty"` // host[:port] of the registrar / domain
	Username         *string   `json:"username,omitempty"`
	AuthUsername     *string   `json:"authUsername,omitempty"`
	Password         *string   `json:"password,omitempty"`
	DisplayName      *string   `json:"displayName,omitempty"`
	Transport        *string   `json:"transport,omitempty"`     // udp | tcp | tls
	OutboundProxy    *string   `json:"outboundProxy,omitempty"` // host[:port], empty = none
	RegisterInterval *int      `json:"registerInterval,omitempty"`
	Codecs           *[]string `json:"codecs,omitempty"`   // order of preference: PCMU, PCMA
	Register         *bool     `json:"register,omitempty"` // register automatically when set
}

// Account is the account as reported: never the password.
type Account struct {
	Server           string   `json:"server"`
	Username         string   `json:"username"`
	AuthUsername     string   `json:"authUsername"`
	HasPassword      bool     `json:"hasPassword"`
	DisplayName      string   `json:"displayName"`
	Transport        string   `json:"transport"`
	OutboundProxy    string   `json:"outboundProxy"`
	RegisterInterval int      `json:"registerInterval"`
	Codecs           []string `json:"codecs"`
	Register         bool     `json:"register"`
}

// SettingsArgs changes engine settings; omitted fields keep their value.
type SettingsArgs struct {
	RTPTimeout  *int  `json:"rtpTimeout,omitempty"`  // seconds without RTP before a call ends; 0 = never
	AutoAnswer  *bool `json:"autoAnswer,omitempty"`  // answer incoming calls at once
	DTMFAfterMS *int  `json:"dtmfDelayMs,omitempty"` // pause before a dial string's ",DIGITS" suffix
}

// Settings reports engine settings.
type Settings struct {
	RTPTimeout  int    `json:"rtpTimeout"`
	AutoAnswer  bool   `json:"autoAnswer"`
	DTMFAfterMS int    `json:"dtmfDelayMs"`
	MaxLines    int    `json:"maxLines"`
	AudioInput  string `json:"audioInput"`  // device | null | wav (set in the config file only)
	AudioOutput string `json:"audioOutput"` // device | null | wav (set in the config file only)
}

// DialArgs places a call. To is a SIP URI, a user or a number; a ",DIGITS" suffix is sent
// as DTMF once the call is active.
type DialArgs struct {
	To   string `json:"to"`
	Line int    `json:"line,omitempty"` // 0 = lowest free line
	// Headers are extra SIP headers for the INVITE, name -> value (the Mizu setsipheader).
	// Names must be tokens and not ones the stack owns (Via, From, To, Call-ID, CSeq,
	// Contact, Route, Max-Forwards, Content-*, Authorization...); values must not contain
	// CR, LF or NUL. Anything else fails with invalid_args.
	Headers map[string]string `json:"headers,omitempty"`
}

// DialResult is returned when the call is accepted (not answered).
type DialResult struct {
	Line   int    `json:"line"`
	CallID string `json:"callId"`
}

// CallRef names a call by line or call id; with neither, the selected line.
type CallRef struct {
	Line   int    `json:"line,omitempty"`
	CallID string `json:"callId,omitempty"`
}

// RejectArgs rejects an incoming call; Code is 486 (busy, default) or 603 (decline).
type RejectArgs struct {
	CallRef
	Code int `json:"code,omitempty"`
}

// HangupArgs ends one call, or every call with All.
type HangupArgs struct {
	CallRef
	All bool `json:"all,omitempty"`
}

// DTMFArgs sends digits (0-9 * # A-D) on a call as RFC 4733 events.
type DTMFArgs struct {
	CallRef
	Digits string `json:"digits"`
}

// MuteArgs mutes or unmutes our microphone on a call.
type MuteArgs struct {
	CallRef
	Mute bool `json:"mute"`
}

// HoldArgs puts a call on hold (re-INVITE with a=sendonly, or a=inactive when the
// peer holds us too) or resumes it (a=sendrecv). Only an active call can be held.
type HoldArgs struct {
	CallRef
	Hold bool `json:"hold"`
}

// LineArgs selects the line attached to microphone and speaker.
type LineArgs struct {
	Line int `json:"line"`
}

// DeviceSelectArgs picks audio devices by id; empty keeps the current one, "default" the system default.
type DeviceSelectArgs struct {
	Input  string `json:"input,omitempty"`
	Output string `json:"output,omitempty"`
	Ringer string `json:"ringer,omitempty"`
}

// VolumeArgs sets device volumes in percent, the Mizu way: 0 = silent, 50 = unchanged
// (unity gain), 100 = twice the amplitude (clipped). Omitted fields keep their value.
type VolumeArgs struct {
	Input  *int `json:"input,omitempty"`  // microphone, before encoding
	Output *int `json:"output,omitempty"` // speaker, the call audio
	Ringer *int `json:"ringer,omitempty"` // the ring tone
}

// SubscribeArgs switches the opt-in (noisy) events of this connection on or off.
type SubscribeArgs struct {
	Log      bool `json:"log"`
	SIPTrace bool `json:"sipTrace"`
	Levels   bool `json:"levels"` // audio.level about every 100 ms
}

// Permissions of a connection, from least to most. A command needs at least the
// permission docs/protocol.md lists for it; otherwise it fails with "forbidden".
const (
	PermRead    = "read"    // observe: status, snapshots, events
	PermControl = "control" // also place and handle calls, choose devices, change settings
	PermAdmin   = "admin"   // also change the account and credentials, approve origins
)

// AuthArgs authenticates a browser connection. Token is the one the engine issued to
// this origin when the user approved it; empty for a provisioned origin or to ask for
// pairing.
type AuthArgs struct {
	Token string `json:"token"`
}

// AuthResult says who the connection is and what it may do. hello follows it.
type AuthResult struct {
	Origin     string `json:"origin"`
	Permission string `json:"permission"`
}

// OriginArgs names a web origin (scheme://host[:port]).
type OriginArgs struct {
	Origin string `json:"origin"`
}

// PairingList is the pairing state: pending requests and paired origins, oldest first.
type PairingList struct {
	Enabled     bool                `json:"enabled"` // users may pair new origins
	Pending     []PairingRequest    `json:"pending"`
	Paired      []PairedOrigin      `json:"paired"`
	Provisioned []ProvisionedOrigin `json:"provisioned"`
}

// PairingRequest is an origin waiting for the user's approval.
type PairingRequest struct {
	ID      string `json:"id"`
	Origin  string `json:"origin"`
	Time    string `json:"time"`    // RFC 3339, when it was asked
	Expires string `json:"expires"` // RFC 3339, when it lapses unanswered
}

// PairedOrigin is an origin the user approved.
type PairedOrigin struct {
	Origin   string `json:"origin"`
	Approved string `json:"approved"` // RFC 3339
}

// ProvisionedOrigin is an origin the administrator allowed in the config.
type ProvisionedOrigin struct {
	Origin     string `json:"origin"`
	Permission string `json:"permission"`
}

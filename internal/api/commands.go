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
	CmdLineSelect      = "line.select"      // LineArgs -> {"line": n}
	CmdDevicesList     = "devices.list"     // -> Devices
	CmdDevicesSelect   = "devices.select"   // DeviceSelectArgs -> Devices
	CmdEventsSubscribe = "events.subscribe" // SubscribeArgs -> SubscribeArgs (handled by control, per connection)
)

// Commands lists every command name, sorted; control's dispatch table and the JS
// library are tested against it.
var Commands = []string{
	CmdAccountGet, CmdAccountSet, CmdCallAnswer, CmdCallDial, CmdCallDTMF, CmdCallHangup,
	CmdCallMute, CmdCallReject, CmdDevicesList, CmdDevicesSelect, CmdEventsSubscribe,
	CmdLineSelect, CmdRegister, CmdSettingsGet, CmdSettingsSet, CmdStatus, CmdUnregister,
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

// SubscribeArgs switches the opt-in (noisy) events of this connection on or off.
type SubscribeArgs struct {
	Log      bool `json:"log"`
	SIPTrace bool `json:"sipTrace"`
}

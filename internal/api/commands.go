package api

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
)

// The command registry. Each command is declared once, below, with its name, its
// argument and result types and the least permission it needs; the code that runs it
// registers a handler for it with Handle. control decodes, permits and dispatches from
// these declarations, refuses to start when a declared command has no handler or one
// has two, and docs/protocol.md and the JS library are tested against Commands.
//
// Adding a command: one line here, a handler where its state lives (the engine's in
// internal/phone/commands.go, control's own in ownRoutes, internal/control/routes.go),
// its section in docs/protocol.md and its name in web/lib/wpservice.js COMMANDS.

// Command is the declaration of one command: Command[A, R] takes *A and answers R.
// A is NoArgs for a command without arguments.
type Command[A, R any] struct{ *Spec }

// Spec is a command's declaration without its Go types, for tables.
type Spec struct {
	Name   string       // as on the wire: "call.dial"
	Perm   string       // PermRead, PermControl, PermAccount or PermAdmin; "" = any connection (auth)
	Args   reflect.Type // the struct its args decode into; nil = takes none
	Result reflect.Type // what a success returns
}

// NoArgs is the argument type of a command that takes none.
type NoArgs struct{}

// Empty is the result of a command that returns nothing but success: {}.
type Empty struct{}

// PermRaiser is implemented by argument types some of whose values need more than the
// command's permission (turning on auto-answer needs admin). It returns the permission
// these args need, or "" for the command's own.
type PermRaiser interface {
	RequiredPerm() string
}

// specs indexes the declarations by name. It is made at its final size and the
// declarations are stored side by side (declared): the registry is filled at every
// start of the engine, whichever command it runs, so it allocates twice, not once per
// command and per growth of the map.
var (
	specs    = make(map[string]*Spec, maxCommands)
	declared = make([]Spec, 0, maxCommands)
)

// maxCommands is room for the commands declared, and some to come; more only cost
// an allocation.
const maxCommands = 96

// declare registers a command; a name declared twice panics at start-up.
func declare[A, R any](name, perm string) Command[A, R] {
	if _, dup := specs[name]; dup {
		panic("api: command " + name + " declared twice")
	}
	switch perm {
	case "", PermRead, PermControl, PermAccount, PermAdmin:
	default:
		panic("api: command " + name + " has unknown permission " + perm)
	}
	declared = append(declared, Spec{Name: name, Perm: perm, Result: reflect.TypeFor[R]()})
	s := &declared[len(declared)-1] // stays valid when a later append moves the slice
	if t := reflect.TypeFor[A](); t != reflect.TypeFor[NoArgs]() {
		if t.Kind() != reflect.Struct {
			panic("api: command " + name + " args must be a struct")
		}
		s.Args = t
	}
	specs[name] = s
	return Command[A, R]{s}
}

// Specs returns every declared command, sorted by name.
func Specs() []*Spec {
	out := make([]*Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Spec) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the declaration of the command name.
func Lookup(name string) (*Spec, bool) {
	s, ok := specs[name]
	return s, ok
}

// Handler runs one declared command. Run receives the decoded args (a *A of the
// command's declaration, or nil for a command without args) and returns its result.
type Handler struct {
	Spec *Spec
	Run  func(ctx context.Context, args any) (any, error)
}

// Handle binds a typed function to a command. The compiler checks that f takes the
// command's args and returns its result; f gets a zero *A when the client sent none.
func Handle[A, R any](c Command[A, R], f func(ctx context.Context, args *A) (R, error)) Handler {
	if c.Spec == nil {
		panic("api: Handle of an undeclared command")
	}
	return Handler{Spec: c.Spec, Run: func(ctx context.Context, args any) (any, error) {
		a, ok := args.(*A)
		switch {
		case args != nil && !ok:
			return nil, fmt.Errorf("api: %s got args of type %T", c.Name, args)
		case a == nil:
			a = new(A)
		}
		return f(ctx, a)
	}}
}

// Commands declared below, in protocol order.
var (
	CmdStatus          = declare[NoArgs, Snapshot]("status", PermRead)
	CmdAccountGet      = declare[NoArgs, Account]("account.get", PermRead) // no secret; HasPassword tells
	CmdAccountSet      = declare[AccountArgs, Account]("account.set", PermAccount)
	CmdSettingsGet     = declare[NoArgs, Settings]("settings.get", PermRead)
	CmdSettingsSet     = declare[SettingsArgs, Settings]("settings.set", PermControl) // autoAnswer needs admin
	CmdRegister        = declare[NoArgs, Empty]("register", PermControl)              // progress on reg.state
	CmdUnregister      = declare[NoArgs, Empty]("unregister", PermControl)
	CmdCallDial        = declare[DialArgs, DialResult]("call.dial", PermControl)
	CmdCallAnswer      = declare[CallRef, Empty]("call.answer", PermControl)
	CmdCallReject      = declare[RejectArgs, Empty]("call.reject", PermControl)
	CmdCallHangup      = declare[HangupArgs, HangupResult]("call.hangup", PermControl)
	CmdCallDTMF        = declare[DTMFArgs, Empty]("call.dtmf", PermControl)
	CmdCallMute        = declare[MuteArgs, Empty]("call.mute", PermControl)
	CmdCallHold        = declare[HoldArgs, Empty]("call.hold", PermControl)         // re-INVITE, then call.state with held
	CmdCallIgnore      = declare[CallRef, Empty]("call.ignore", PermControl)        // silence the ringer for an incoming call
	CmdCallTransfer    = declare[TransferArgs, Empty]("call.transfer", PermControl) // REFER; progress on call.transfer
	CmdCallReferral    = declare[ReferralArgs, Empty]("call.referral", PermControl) // the answer to a call.referred
	CmdCallStats       = declare[CallRef, CallStats]("call.stats", PermRead)        // media figures and MOS of a call with media
	CmdCallForward     = declare[ForwardArgs, Empty]("call.forward", PermControl)   // 302 to a ringing incoming call
	CmdLineSelect      = declare[LineArgs, LineSelected]("line.select", PermControl)
	CmdDevicesList     = declare[NoArgs, Devices]("devices.list", PermRead)
	CmdDevicesSelect   = declare[DeviceSelectArgs, Devices]("devices.select", PermControl)
	CmdDevicesVolume   = declare[VolumeArgs, Devices]("devices.volume", PermControl)
	CmdEventsSubscribe = declare[SubscribeArgs, SubscribeArgs]("events.subscribe", PermRead) // per connection; log and sipTrace need control
	CmdAuth            = declare[AuthArgs, AuthResult]("auth", "")                           // the first message of a browser connection
	CmdPairList        = declare[NoArgs, PairingList]("pair.list", PermAdmin)
	CmdPairApprove     = declare[ApproveArgs, Empty]("pair.approve", PermAdmin)
	CmdPairRequest     = declare[PermissionArgs, PairingRequest]("pair.request", PermControl) // a paired site asks the user for more
	CmdPairDeny        = declare[OriginArgs, Empty]("pair.deny", PermAdmin)
	CmdPairRevoke      = declare[OriginArgs, Empty]("pair.revoke", PermAdmin)
	CmdHistoryList     = declare[HistoryListArgs, HistoryPage]("history.list", PermRead)
	CmdHistoryDelete   = declare[HistoryRef, Empty]("history.delete", PermControl)
	CmdHistoryClear    = declare[NoArgs, HistoryCleared]("history.clear", PermControl)
)

// The accounts beside the default (accounts.go): account.get and account.set are
// the default account's.
var (
	CmdAccountsList  = declare[NoArgs, AccountList]("accounts.list", PermRead)
	CmdAccountAdd    = declare[AccountArgs, AccountInfo]("account.add", PermAccount) // registers when it asks to
	CmdAccountUpdate = declare[AccountUpdateArgs, AccountInfo]("account.update", PermAccount)
	CmdAccountRemove = declare[AccountRef, Empty]("account.remove", PermAccount) // unregisters it first; not the default
)

// The local conference's commands: the engine mixes its members so that each hears
// the user and the others.
var (
	CmdConferenceAdd    = declare[CallRef, Empty]("conference.add", PermControl) // the first add conferences the selected call too
	CmdConferenceRemove = declare[CallRef, Empty]("conference.remove", PermControl)
	CmdConferenceHold   = declare[NoArgs, Empty]("conference.hold", PermControl) // every member; answers once every peer has
	CmdConferenceResume = declare[NoArgs, Empty]("conference.resume", PermControl)
	CmdConferenceSplit  = declare[NoArgs, Empty]("conference.split", PermControl) // every member back to its own line
)

// The instant messages (chat.go): private, so reading them needs control too.
var (
	CmdChatSend          = declare[ChatSendArgs, ChatSent]("chat.send", PermControl) // delivery on chat.status
	CmdChatList          = declare[ChatListArgs, ChatPage]("chat.list", PermControl)
	CmdChatConversations = declare[ChatConversationsArgs, Conversations]("chat.conversations", PermControl)
	CmdChatRead          = declare[ChatPeerArgs, ChatChanged]("chat.read", PermControl)
	CmdChatDelete        = declare[ChatDeleteArgs, ChatChanged]("chat.delete", PermControl)
)

// Sounds and recordings (sounds.go): files of the engine's own folders, named by
// file name only.
var (
	CmdAudioPlay  = declare[PlayArgs, Empty]("audio.play", PermControl) // a WAV of the sounds folder, on the speaker or into a call
	CmdAudioStop  = declare[NoArgs, Empty]("audio.stop", PermControl)
	CmdSoundsList = declare[NoArgs, SoundList]("sounds.list", PermRead)
	CmdCallRecord = declare[RecordArgs, RecordResult]("call.record", PermControl) // start or stop a call's recording
)

// Commands lists every command name, sorted; the JS library and the docs are tested
// against it. It is filled in init, which runs after every declaration, whatever file
// it is in.
var Commands []string

func init() { Commands = commandNames() }

func commandNames() []string {
	names := make([]string, 0, len(specs))
	for _, s := range Specs() {
		names = append(names, s.Name)
	}
	return names
}

// HangupResult says how many calls call.hangup ended.
type HangupResult struct {
	Ended int `json:"ended"`
}

// RequiredPerm: turning auto-answer on or off, by setting or by request header,
// needs admin (a page could otherwise listen in on the room), and so does
// forwarding every call, on busy or unanswered (a page could otherwise send the
// user's calls to a number of its choosing, silently).
func (a *SettingsArgs) RequiredPerm() string {
	if a.AutoAnswer != nil || a.AutoAnswerHeaders != nil ||
		a.ForwardAlways != nil || a.ForwardOnBusy != nil || a.ForwardOnNoAnswer != nil {
		return PermAdmin
	}
	return ""
}

// RequiredPerm: the log and SIP trace streams need control.
func (a *SubscribeArgs) RequiredPerm() string {
	if a.Log || a.SIPTrace {
		return PermControl
	}
	return ""
}

// Transport names accepted in Account.Transport.
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
	TransportTLS = "tls"
)

// Media encryption policies accepted in Account.MediaEncryption (SRTP with
// SDES keys, RFC 4568).
const (
	MediaEncryptionOff       = "off"       // plain RTP; offers with keys are answered without
	MediaEncryptionOptional  = "optional"  // SRTP when the peer takes it, plain RTP otherwise
	MediaEncryptionMandatory = "mandatory" // SRTP or no call
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
	Codecs           *[]string `json:"codecs,omitempty"`          // order of preference: PCMU, PCMA
	Register         *bool     `json:"register,omitempty"`        // register automatically when set
	MediaEncryption  *string   `json:"mediaEncryption,omitempty"` // off | optional | mandatory
	// VoicemailNumber is what is dialled for the account's voicemail (Mizu's
	// voicemailnum, per account); "" = none. The default account's voicemailNumber
	// setting, when set, wins over its own.
	VoicemailNumber *string `json:"voicemailNumber,omitempty"`
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
	MediaEncryption  string   `json:"mediaEncryption,omitempty"`
	VoicemailNumber  string   `json:"voicemailNumber,omitempty"`
}

// SettingsArgs changes engine settings; omitted fields keep their value.
type SettingsArgs struct {
	RTPTimeout  *int  `json:"rtpTimeout,omitempty"`  // seconds without RTP before a call ends; 0 = never
	AutoAnswer  *bool `json:"autoAnswer,omitempty"`  // answer incoming calls at once
	AutoHold    *bool `json:"autoHold,omitempty"`    // hold the call being left when turning to another line
	DTMFAfterMS *int  `json:"dtmfDelayMs,omitempty"` // pause before a dial string's ",DIGITS" suffix
	// RingTimeoutOut is how long, in seconds, an outgoing call may ring before the
	// engine cancels it (CauseTimeout, reason TimeoutRing); 0 = until the network
	// gives up. CallTimeout bounds a call's talk time the same way (TimeoutCall).
	RingTimeoutOut *int `json:"ringTimeoutOut,omitempty"`
	CallTimeout    *int `json:"callTimeout,omitempty"`
	// TransferIncoming is what a peer's REFER gets: accept, ask or refuse.
	TransferIncoming *string `json:"transferIncoming,omitempty"`
	// The call policies, evaluated when an INVITE arrives (docs/configuration.md).
	DND               *bool   `json:"dnd,omitempty"`               // do not disturb: refuse every incoming call
	DNDAction         *string `json:"dndAction,omitempty"`         // DNDBusy (486) | DNDDecline (603)
	BlockList         *string `json:"blockList,omitempty"`         // callers refused with 603: users, numbers or URIs, comma-separated
	RejectWhenBusy    *bool   `json:"rejectWhenBusy,omitempty"`    // 486 to a call while another is up
	ForwardAlways     *string `json:"forwardAlways,omitempty"`     // 302 every call to this target; "" = off
	ForwardOnBusy     *string `json:"forwardOnBusy,omitempty"`     // 302 to this target while another call is up
	ForwardOnNoAnswer *string `json:"forwardOnNoAnswer,omitempty"` // 302 to this target once the ring timeout passed
	RingTimeout       *int    `json:"ringTimeout,omitempty"`       // seconds an incoming call rings; 0 = until the caller gives up
	AutoAnswerHeaders *bool   `json:"autoAnswerHeaders,omitempty"` // honour a caller's auto-answer request (intercom)
	// The microphone's processing, each ProcessingAuto, ProcessingOn or ProcessingOff.
	AEC     *string `json:"aec,omitempty"`     // acoustic echo cancellation
	Denoise *string `json:"denoise,omitempty"` // noise suppression
	AGC     *string `json:"agc,omitempty"`     // automatic gain control
	// SilenceSuppression sends comfort noise (RFC 3389) instead of the
	// microphone's silences where the peer takes it: ProcessingAuto (off on
	// a desktop), ProcessingOn or ProcessingOff.
	SilenceSuppression *string `json:"silenceSuppression,omitempty"`
	// Tones, ringtone and recording (docs/configuration.md).
	TonePlan      *string `json:"tonePlan,omitempty"`      // the call-progress tones: "us", "uk" or "eu"
	Ringtone      *string `json:"ringtone,omitempty"`      // a WAV file name in the sounds folder; "" = the built-in ring
	RecordCalls   *bool   `json:"recordCalls,omitempty"`   // record every call once answered
	RecordingName *string `json:"recordingName,omitempty"` // the recordings' file name template
	RecordFormat  *string `json:"recordFormat,omitempty"`  // the recordings' format: RecordWAV or RecordOgg
	// Voicemail (subscriptions.go).
	MWI             *bool   `json:"mwi,omitempty"`             // subscribe to the account's message-summary while registered
	MWIUnsolicited  *bool   `json:"mwiUnsolicited,omitempty"`  // take message-summary NOTIFYs the server sends without a subscription
	VoicemailNumber *string `json:"voicemailNumber,omitempty"` // what the page dials for voicemail; "" = none
	// Our presence (presence.go).
	PresenceStatus     *string `json:"presenceStatus,omitempty"`     // online, away, dnd, invisible or offline
	PublishPresence    *bool   `json:"publishPresence,omitempty"`    // PUBLISH it to the account's server while registered
	PresenceBusyOnCall *bool   `json:"presenceBusyOnCall,omitempty"` // publish busy while a call is up (online only)
	// BLFPickup is the feature code dialled before a ringing colleague's number to
	// pick up the call (directed pickup, "*8" on many PBXs); "" = pick up with
	// Replaces when the server reports the dialog's tags.
	BLFPickup *string `json:"blfPickup,omitempty"`
	// IMDN asks for a delivery notification (RFC 5438) on each message sent, in a
	// CPIM envelope: for servers and peers that read them (chatimdn.go).
	IMDN *bool `json:"imdn,omitempty"`
	// IMDNDisplay asks for display notifications on the messages sent too, and
	// answers a peer's request for one when the page marks its conversation read
	// (chat.read): read receipts both ways (chatdisplay.go).
	IMDNDisplay *bool `json:"imdnDisplay,omitempty"`
}

// The formats of call recordings (the recordFormat setting): a stereo WAV, or
// stereo Opus in Ogg (RFC 7845).
const (
	RecordWAV = "wav"
	RecordOgg = "ogg"
)

// The values of the processing settings (aec, denoise, agc): auto is on unless
// the speaker is a headset, which has no echo and is close to the mouth.
const (
	ProcessingAuto = "auto"
	ProcessingOn   = "on"
	ProcessingOff  = "off"
)

// Settings reports engine settings.
type Settings struct {
	RTPTimeout  int  `json:"rtpTimeout"`
	AutoAnswer  bool `json:"autoAnswer"`
	AutoHold    bool `json:"autoHold"`
	DTMFAfterMS int  `json:"dtmfDelayMs"`
	MaxLines    int  `json:"maxLines"`
	// RingTimeoutOut and CallTimeout: seconds an outgoing call may ring and a
	// call may last; 0 = no limit.
	RingTimeoutOut int `json:"ringTimeoutOut"`
	CallTimeout    int `json:"callTimeout"`
	// TransferIncoming is what a peer's REFER gets: accept, ask (a call.referred
	// event the page answers with call.referral) or refuse.
	TransferIncoming string `json:"transferIncoming"`
	AudioInput       string `json:"audioInput"`  // device | null | wav (set in the config file only)
	AudioOutput      string `json:"audioOutput"` // device | null | wav (set in the config file only)

	DND               bool   `json:"dnd"`
	DNDAction         string `json:"dndAction"`
	BlockList         string `json:"blockList"` // comma-separated, as set
	RejectWhenBusy    bool   `json:"rejectWhenBusy"`
	ForwardAlways     string `json:"forwardAlways"`
	ForwardOnBusy     string `json:"forwardOnBusy"`
	ForwardOnNoAnswer string `json:"forwardOnNoAnswer"`
	RingTimeout       int    `json:"ringTimeout"`
	AutoAnswerHeaders bool   `json:"autoAnswerHeaders"`

	AEC     string `json:"aec"` // auto | on | off
	Denoise string `json:"denoise"`
	AGC     string `json:"agc"`
	// SilenceSuppression: auto | on | off; auto is off on a desktop.
	SilenceSuppression string `json:"silenceSuppression"`
	// The adaptive jitter buffer's bounds (set in the config file only).
	JitterMinMs int `json:"jitterMinMs"`
	JitterMaxMs int `json:"jitterMaxMs"`
	// The packet time our SDP asks of peers, in ms (config file only).
	Ptime         int    `json:"ptime"`
	TonePlan      string `json:"tonePlan"`
	Ringtone      string `json:"ringtone"`
	RecordCalls   bool   `json:"recordCalls"`
	RecordingName string `json:"recordingName"`
	RecordFormat  string `json:"recordFormat"`

	MWI             bool   `json:"mwi"`
	MWIUnsolicited  bool   `json:"mwiUnsolicited"`
	VoicemailNumber string `json:"voicemailNumber"`

	PresenceStatus     string `json:"presenceStatus"`
	PublishPresence    bool   `json:"publishPresence"`
	PresenceBusyOnCall bool   `json:"presenceBusyOnCall"`
	BLFPickup          string `json:"blfPickup"`
	IMDN               bool   `json:"imdn"`        // ask for delivery notifications on the messages sent
	IMDNDisplay        bool   `json:"imdnDisplay"` // read receipts: display notifications asked for and sent
}

// What do-not-disturb answers (Settings.DNDAction).
const (
	DNDBusy    = "busy"    // 486 Busy Here: the caller's PBX may try voicemail
	DNDDecline = "decline" // 603 Decline: the callee does not want the call
)

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
	// Conference dials a new party into the local conference: the selected call and
	// the conference are not held meanwhile, and the call joins it when answered.
	Conference bool `json:"conference,omitempty"`
	// Account is the id of the account the call goes from; absent: the default.
	Account string `json:"account,omitempty"`
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

// ForwardArgs forwards a ringing incoming call: the engine answers its INVITE
// with 302 Moved Temporarily and a Contact of Target (a SIP URI, a user or a
// number, completed with the account's domain), and the call ends with cause
// forwarded.
type ForwardArgs struct {
	CallRef
	Target string `json:"target"`
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

// TransferArgs transfers an active call to Target (blind transfer, RFC 3515): the
// peer is asked with REFER to call it, and our call ends once it answered. Target is
// a number, a user or a SIP URI, as call.dial's To. With ConsultCallID instead, the
// transfer is attended: the peer is handed to the party of that other active call
// (REFER with Replaces, RFC 3891), and both our calls end once it took over.
type TransferArgs struct {
	CallRef
	Target        string `json:"target,omitempty"`
	ConsultCallID string `json:"consultCallId,omitempty"`
}

// ReferralArgs answers a call.referred event: Accept calls the target the peer's
// REFER named, else the peer is told 603 Declined.
type ReferralArgs struct {
	CallRef
	Accept bool `json:"accept"`
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
	// StatsInterval sends call.stats every so many seconds
	// (MinStatsInterval to MaxStatsInterval); 0 sends none.
	StatsInterval int `json:"statsInterval,omitempty"`
}

// Permissions of a connection, from least to most. A command needs at least the
// permission docs/protocol.md lists for it; otherwise it fails with "forbidden".
const (
	PermRead    = "read"    // observe: status, snapshots, events
	PermControl = "control" // also place and handle calls, choose devices, change settings
	PermAccount = "account" // also configure the phone account: server, user name, password
	PermAdmin   = "admin"   // also approve origins and switch auto-answer
)

// AuthArgs authenticates a browser connection. Token is the one the engine issued to
// this origin when the user approved it; empty for a provisioned origin or to ask for
// pairing.
type AuthArgs struct {
	Token string `json:"token"`
	// Permission is what a site that must pair asks the user for: PermControl (also "")
	// or PermAccount. It matters only when the auth files a pairing request.
	Permission string `json:"permission,omitempty"`
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

// ApproveArgs answers an origin's pairing request. Permission is what the user grants:
// PermControl (also "") or PermAccount, never more than the site asked for.
type ApproveArgs struct {
	Origin     string `json:"origin"`
	Permission string `json:"permission,omitempty"`
}

// PermissionArgs names the permission a paired site asks for (pair.request): PermAccount.
type PermissionArgs struct {
	Permission string `json:"permission"`
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
	// Permission is what the site asks for: PermControl, or PermAccount to also
	// configure the phone account.
	Permission string `json:"permission"`
	// Paired is set when the site is paired already and asks for more (pair.request).
	Paired bool `json:"paired,omitempty"`
}

// PairedOrigin is an origin the user approved.
type PairedOrigin struct {
	Origin     string `json:"origin"`
	Approved   string `json:"approved"`   // RFC 3339
	Permission string `json:"permission"` // PermControl or PermAccount
}

// ProvisionedOrigin is an origin the administrator allowed in the config.
type ProvisionedOrigin struct {
	Origin     string `json:"origin"`
	Permission string `json:"permission"`
}

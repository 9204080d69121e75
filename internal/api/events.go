package api

// Event names. Stable strings, never renamed.
const (
	EvHello          = "hello"            // Hello: first message on every connection
	EvAccount        = "account.changed"  // Account: the account was changed (never the password)
	EvAccounts       = "accounts.changed" // AccountList: an account was added, changed or removed
	EvSettings       = "settings.changed" // Settings
	EvLineSelected   = "line.selected"    // LineSelected: the line attached to microphone and speaker
	EvRegState       = "reg.state"        // RegState
	EvCallState      = "call.state"       // CallState
	EvCallDTMF       = "call.dtmf"        // DTMFEvent: a digit received from the peer
	EvCallCDR        = "call.cdr"         // CallRecord: an ended call, once the history has stored it
	EvCallTransfer   = "call.transfer"    // TransferEvent: the progress of a transfer we asked for
	EvCallReferred   = "call.referred"    // Referred: the peer asks us to call another party (transferIncoming ask)
	EvCallStats      = "call.stats"       // CallStatsEvent (opt-in): media figures every StatsInterval seconds
	EvChatMessage    = "chat.message"     // ChatMessage: a message received or sent, once stored
	EvChatStatus     = "chat.status"      // ChatStatus: the delivery of a message we sent
	EvChatUnread     = "chat.unread"      // ChatUnread: the count of unread messages changed
	EvDevicesChanged = "devices.changed"  // Devices
	EvAudioLevel     = "audio.level"      // Levels (opt-in): microphone and speaker levels
	EvAudioPlay      = "audio.play"       // PlayEvent: a file of the sounds folder started or ended
	EvCallRecording  = "call.recording"   // RecordingEvent: a call's recording started or stopped
	EvLog            = "log"              // LogEvent (opt-in)
	EvSIPTrace       = "sip.trace"        // SIPTrace (opt-in; credentials redacted)
	EvLagged         = "session.lagged"   // sent before the engine closes a connection that fell behind
	EvPairChanged    = "pair.changed"     // PairingList: a request, approval, denial, revocation or expiry (admin connections only)
	EvPaired         = "paired"           // Paired: this waiting connection's origin was approved (seq 0, before hello)
	EvPermission     = "permission"       // Permission: the user answered this paired site's pair.request (seq 0)
)

// Events lists every event name, sorted; the JS library is tested against it.
var Events = []string{
	EvAccount, EvAccounts, EvAudioLevel, EvAudioPlay, EvBLF, EvCallCDR, EvCallDTMF, EvCallRecording, EvCallReferred, EvCallState, EvCallStats, EvCallTransfer,
	EvChatMessage, EvChatStatus, EvChatUnread, EvContacts, EvDevicesChanged, EvHello, EvLineSelected, EvLog, EvMWI, EvPairChanged,
	EvPaired, EvPermission, EvPresence, EvRegState, EvLagged, EvSettings, EvSIPTrace, EvSubscription,
}

// Paired hands a waiting connection the token the user approved for its origin. The page
// stores it (origin-scoped storage) and sends it in auth on later connections. It goes to
// that connection only, never to logs or other connections.
type Paired struct {
	Origin     string `json:"origin"`
	Token      string `json:"token"`
	Permission string `json:"permission"`
}

// Permission tells a paired site's connections what they may do after the user
// answered its pair.request: Permission is the connection's permission now, Asked what
// the site asked for; they differ when the user refused or granted less. It goes to
// that origin's connections only, outside the seq order.
type Permission struct {
	Origin     string `json:"origin"`
	Permission string `json:"permission"`
	Asked      string `json:"asked"`
}

// LineSelected reports the selected line (0: none). It changes on line.select and when a
// call starts (its line is selected) or the selected call ends.
type LineSelected struct {
	Line int `json:"line"`
}

// Hello is the first message on a connection: versions and a full snapshot.
type Hello struct {
	Protocol int      `json:"protocol"`
	Engine   string   `json:"engine"`
	Version  string   `json:"version"`
	Snapshot Snapshot `json:"snapshot"`
}

// Snapshot is the whole observable state. A client mirrors it and applies later events.
type Snapshot struct {
	Account      Account  `json:"account"`
	Registration RegState `json:"registration"`
	// Accounts is every account with its registration, the default first
	// (accounts.list); Account and Registration are the default's.
	Accounts     []AccountInfo `json:"accounts"`
	Lines        []CallState   `json:"lines"` // calls that exist now, by line
	SelectedLine int           `json:"selectedLine"`
	Devices      Devices       `json:"devices"`
	Settings     Settings      `json:"settings"`
	MWI          MWIState      `json:"mwi"` // the default account's voicemail box (subscriptions.go)
	// MWIAccounts are the voicemail boxes of the accounts besides the default that
	// subscribe to theirs, each with its account, in the order of the accounts.
	MWIAccounts []MWIState `json:"mwiAccounts,omitempty"`
	// Presence and BLF are the watched contacts' presence and busy lamps (presence.go),
	// by account and number; a contact not known yet is absent.
	Presence []PresenceState `json:"presence"`
	BLF      []BLFState      `json:"blf"`
	// Config names the config files the engine read, in order: "machine" (the
	// administrator's, for every user), "user" (the user's own, which overrides it
	// field by field) or "file" (the one file given to wpservice run --config).
	// Absent: the built-in defaults alone. Names only, no paths.
	Config []string `json:"config,omitempty"`
	// UnreadMessages counts the instant messages received and not yet marked read
	// (chat.read); chat.unread reports each change. A snapshot taken before the
	// engine first read the count from its store says 0, and chat.unread follows.
	UnreadMessages int `json:"unreadMessages"`
	// Chat reports that the engine sends and keeps instant messages: it has a
	// message store and its SIP stack speaks MESSAGE (chat.send).
	Chat bool `json:"chat"`
}

// Registration states.
const (
	RegUnregistered = "unregistered"
	RegRegistering  = "registering"
	RegRegistered   = "registered"
	RegFailed       = "failed"
)

// RegState reports the registration of the account.
type RegState struct {
	Account string `json:"account,omitempty"` // the account's id (accounts.list)
	State   string `json:"state"`
	Code    int    `json:"code,omitempty"`    // last SIP status code, if any
	Reason  string `json:"reason,omitempty"`  // SIP reason phrase or transport error
	Expires int    `json:"expires,omitempty"` // seconds granted by the registrar
	Retry   int    `json:"retry,omitempty"`   // seconds until the next attempt after a failure
}

// Call states.
const (
	CallDialing  = "dialing"  // outgoing, INVITE sent, no answer yet
	CallIncoming = "incoming" // incoming, not yet ringing locally
	CallRinging  = "ringing"  // outgoing: 180 received; incoming: 180 sent, waiting for answer
	CallEarly    = "early"    // outgoing: 183 with early media
	CallActive   = "active"   // answered, media flowing
	CallEnded    = "ended"    // final; the line is free again
)

// Call directions.
const (
	DirOutgoing = "outgoing"
	DirIncoming = "incoming"
)

// CallState is one call as reported in snapshots and call.state events.
type CallState struct {
	Line       int    `json:"line"`
	CallID     string `json:"callId"`    // engine handle, unique for the process lifetime
	SIPCallID  string `json:"sipCallId"` // the SIP Call-ID header
	Direction  string `json:"direction"`
	Peer       string `json:"peer"`     // peer URI
	PeerUser   string `json:"peerUser"` // user part of the peer URI
	PeerName   string `json:"peerName"` // display name, if any
	State      string `json:"state"`
	Muted      bool   `json:"muted"`
	Held       bool   `json:"held"`              // we put the call on hold
	RemoteHeld bool   `json:"remoteHeld"`        // the peer put us on hold (a=sendonly/inactive)
	Ignored    bool   `json:"ignored,omitempty"` // incoming: the ringer was silenced
	Codec      string `json:"codec,omitempty"`
	Encrypted  bool   `json:"encrypted,omitempty"` // the media runs SRTP (RFC 3711) both ways
	SIPCode    int    `json:"sipCode,omitempty"`   // last SIP status seen (180, 183, 200, 486...)
	Cause      *Cause `json:"cause,omitempty"`     // set once the call is ended
	StartedAt  int64  `json:"startedAt"`           // unix ms
	AnsweredAt int64  `json:"answeredAt,omitempty"`
	EndedAt    int64  `json:"endedAt,omitempty"`
	// Stats are the call's last media figures, in the event of its end when it
	// had media.
	Stats *CallStats `json:"stats,omitempty"`

	// Conference: the call is a member of the local conference (conference.add).
	Conference bool `json:"conference,omitempty"`
	// Account is the id of the account the call is on (accounts.list).
	Account string `json:"account,omitempty"`
	// PickedUpBy is the party that picked up our outgoing call while it rang (an
	// INVITE with Replaces naming its early dialog, RFC 3891): the call, the same id
	// and line, is now with that party, its peer.
	PickedUpBy string `json:"pickedUpBy,omitempty"`
}

// End causes.
const (
	CauseLocalHangup    = "local_hangup"    // we hung up / cancelled
	CauseRemoteHangup   = "remote_hangup"   // the peer sent BYE or CANCEL
	CauseRejected       = "rejected"        // the peer or we answered with a final error
	CauseFailed         = "failed"          // network, timeout or protocol failure
	CauseRTPTimeout     = "rtp_timeout"     // no RTP for Settings.RTPTimeout seconds
	CauseShutdown       = "shutdown"        // the engine is stopping
	CauseNetworkChanged = "network_changed" // our address changed and the call could not follow it
	// CauseSessionExpired: the call's session timer (RFC 4028) ran out, the peer's
	// refresh did not come in time or ours failed; the engine sent BYE.
	CauseSessionExpired = "session_expired"
	// CauseEncryptionRequired: the account's media encryption is mandatory and
	// the peer's answer carried no SRTP key we could use.
	CauseEncryptionRequired = "encryption_required"
	// CauseIncompatibleMedia: the peer's SDP left the call no media we can
	// use: no common codec, no usable audio stream or address, DTLS-SRTP, or
	// no SDP at all where the answer to our offer must be.
	CauseIncompatibleMedia = "incompatible_media"
	// CauseTransferred: the peer took our transfer (call.transfer) and reached the
	// target; we ended our side with BYE.
	CauseTransferred = "transferred"
	// CauseForwarded: the engine answered the ringing call with 302 (call.forward
	// or a forwarding setting); Reason is the target.
	CauseForwarded = "forwarded"
	// CauseRefused: a call policy refused the call before the user saw it ring,
	// or ended it unanswered; Code is the SIP status sent and Reason the policy:
	// RefusedDND, RefusedBlocked, RefusedBusy or RefusedNoAnswer.
	CauseRefused = "refused"
	// CauseTimeout: a time limit of the settings ended the call and the engine
	// sent CANCEL or BYE; Reason is TimeoutRing (an outgoing call rang for
	// ringTimeoutOut) or TimeoutCall (the call lasted callTimeout).
	CauseTimeout = "timeout"
)

// The limits named in the Reason of a CauseTimeout.
const (
	TimeoutRing = "ring" // an outgoing call was not answered within ringTimeoutOut
	TimeoutCall = "call" // a call reached callTimeout
)

// The policies named in the Reason of a CauseRefused.
const (
	RefusedDND      = "dnd"       // do not disturb
	RefusedBlocked  = "blocked"   // the caller is on the block list
	RefusedBusy     = "busy"      // reject when busy: another call is up
	RefusedNoAnswer = "no_answer" // the ring timeout passed
)

// Causes lists every end cause, for clients that name each one (the JS library's
// texts and types are checked against it).
var Causes = []string{
	CauseLocalHangup, CauseRemoteHangup, CauseRejected, CauseFailed, CauseRTPTimeout,
	CauseShutdown, CauseNetworkChanged, CauseEncryptionRequired, CauseIncompatibleMedia,
	CauseSessionExpired, CauseTransferred, CauseForwarded, CauseRefused, CauseTimeout,
}

// Cause says why a call ended.
type Cause struct {
	Kind   string `json:"kind"`
	Code   int    `json:"code,omitempty"` // SIP status code, when one applies
	Reason string `json:"reason,omitempty"`
}

// DTMFEvent reports a digit received on a call.
type DTMFEvent struct {
	Line     int    `json:"line"`
	CallID   string `json:"callId"`
	Digit    string `json:"digit"`
	Duration int    `json:"durationMs"`
}

// Transfer states carried by TransferEvent.State.
const (
	TransferTrying    = "trying"    // the peer accepted the REFER, or reports 100 Trying
	TransferRinging   = "ringing"   // the target is ringing (a 1xx other than 100)
	TransferSucceeded = "succeeded" // the target answered; our call ends with cause transferred
	TransferFailed    = "failed"    // refused, the target did not answer, or no outcome in time; the call stays
)

// Answers to a peer's REFER (Settings.TransferIncoming).
const (
	TransferAccept = "accept" // call the target at once
	TransferAsk    = "ask"    // a call.referred event; the page answers with call.referral
	TransferRefuse = "refuse" // 603 Declined
)

// Referred asks the page whether to follow the peer's REFER of a call: call the
// target and, once it answers, end this call. The page answers with call.referral
// within 30 seconds, or the engine declines.
type Referred struct {
	Line   int    `json:"line"`
	CallID string `json:"callId"`
	Target string `json:"target"` // the Refer-To URI
}

// TransferEvent reports the progress of a transfer asked for with call.transfer:
// Code and Reason are the status of the peer's call to the target from its NOTIFY
// (RFC 3515 message/sipfrag), or the peer's answer to the REFER when it refused it;
// 0 when no answer came.
type TransferEvent struct {
	Line   int    `json:"line"`
	CallID string `json:"callId"`
	Target string `json:"target"`
	State  string `json:"state"`
	Code   int    `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Device is one audio endpoint.
type Device struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Default bool   `json:"default,omitempty"`
}

// Devices lists the audio endpoints and the current choice.
type Devices struct {
	Backend        string   `json:"backend"` // the audio backend in use (alsa, pulse, wasapi, null, wav)
	Inputs         []Device `json:"inputs"`
	Outputs        []Device `json:"outputs"`
	SelectedInput  string   `json:"selectedInput"`
	SelectedOutput string   `json:"selectedOutput"`
	SelectedRinger string   `json:"selectedRinger"`
	// UsingInput and UsingOutput are the devices open now, while the engine holds
	// the sound device: the selected ones, or "default" in place of a selected
	// device that went away (unplugged mid-call), until it comes back. Empty while
	// no device is open.
	UsingInput   string `json:"usingInput,omitempty"`
	UsingOutput  string `json:"usingOutput,omitempty"`
	InputVolume  int    `json:"inputVolume"`  // percent, 50 = unity gain
	OutputVolume int    `json:"outputVolume"` // percent, 50 = unity gain
	RingerVolume int    `json:"ringerVolume"` // percent, 50 = unity gain
}

// Levels reports audio levels in dBFS (-90 = silence, 0 = full scale), the RMS of the
// last 100 ms: Input is the microphone after its volume (what the peer hears), Output
// what the speaker plays. Opt-in with events.subscribe {"levels": true}.
type Levels struct {
	Input  int `json:"input"`
	Output int `json:"output"`
}

// LogEvent is an engine log line (opt-in).
type LogEvent struct {
	Time    int64          `json:"time"`
	Level   string         `json:"level"`
	Message string         `json:"message"`
	Attrs   map[string]any `json:"attrs,omitempty"`
}

// SIPTrace is one SIP message sent or received (opt-in). Authorization and
// Proxy-Authorization values are redacted before this is built.
type SIPTrace struct {
	Dir     string `json:"dir"` // "send" | "recv"
	Remote  string `json:"remote"`
	Message string `json:"message"`
}

// Health is the body of GET /health.
type Health struct {
	Engine   string `json:"engine"`
	Version  string `json:"version"`
	Protocol int    `json:"protocol"`
}

package sipstack

import "time"

// Event is everything the stack reports through Config.OnEvent. It is one
// of RegEvent, Incoming, CallEvent or Message; switch on the concrete type.
type Event interface {
	isEvent()
}

// Registration states carried by RegEvent.State.
const (
	RegRegistering  = "registering"
	RegRegistered   = "registered"
	RegUnregistered = "unregistered"
	RegFailed       = "failed"
)

// RegEvent reports a change of the registration.
type RegEvent struct {
	Account string        // the account's ID, "" for the default
	State   string        // one of the Reg* constants
	Code    int           // last SIP status, 0 for transport errors
	Reason  string        // SIP reason phrase or transport error text
	Expires int           // seconds granted by the registrar (registered only)
	Retry   time.Duration // delay before the next attempt (failed only)
}

// Incoming reports a new incoming INVITE. 100 Trying has already been sent;
// the receiver answers through Call (Ring, Answer, Reject, Hangup).
type Incoming struct {
	Call     *Call
	Account  string // the ID of the account it is for, "" for the default (accounts.go)
	From     string // caller URI
	FromUser string // user part of the caller URI
	FromName string // caller display name, unescaped
	To       string // called URI
	SDP      []byte // offer, nil for a late-offer INVITE
	LocalIP  string // our address toward the offer's media (or the caller): for our SDP and RTP
	Replaces string // the Call-ID of the confirmed call this one replaces (RFC 3891), or ""
	// AnswerHints are the request's Call-Info, Answer-Mode and Alert-Info headers,
	// each "Name: value": a caller's request to be answered at once (intercom),
	// which the phone's policy honours or not (answerhints.go).
	AnswerHints []string
}

// CallEventKind says what happened to a call.
type CallEventKind int

// Call event kinds. Every call gets exactly one terminal event (Failed,
// RemoteBye, RemoteCancel or Ended) and nothing after it.
const (
	// Provisional is a 180 or 183 to our INVITE, with early SDP if any.
	Provisional CallEventKind = iota + 1
	// Answered is the 2xx to our INVITE (ACK already sent), with its SDP.
	Answered
	// Failed ends a call that could not be set up or lost its transport:
	// Code is the final SIP status (408 for a timeout), 0 for a transport error.
	Failed
	// RemoteBye ends a call the peer hung up with BYE (200 already sent).
	RemoteBye
	// RemoteCancel ends an incoming call the caller cancelled (487 already sent).
	RemoteCancel
	// Ended ends a call on our side: Hangup, Reject, or a CANCEL we sent.
	Ended
	// Updated reports a re-INVITE from the peer that we accepted (200 sent):
	// SDP is the peer's offer, or its answer from the ACK when the re-INVITE
	// had no SDP (FromAck); RemoteHeld says whether the peer now holds us.
	Updated
	// Redirected reports that our INVITE, answered with the 3xx Code, goes on to
	// the target URI in Reason (the stack follows redirects; see Config).
	Redirected
	// BadAnswer reports an ACK without a usable answer to the offer our 200
	// made (an INVITE or re-INVITE without SDP: a delayed offer). The dialog
	// stands; the receiver ends the call with Hangup (a BYE).
	BadAnswer
	// SessionExpired reports that the session timer (RFC 4028) ran out: the peer's
	// refresh did not come in time, or ours failed. The call is still up; the
	// receiver ends it (Hangup) as the RFC asks, with a BYE.
	SessionExpired
	// TransferProgress reports a NOTIFY of the transfer our REFER asked for (Refer):
	// Code and Reason are the status line of its message/sipfrag, the peer's call to
	// the target; Final says the subscription ended with it.
	TransferProgress
	// Referred reports a REFER from the peer (refer_in.go): Reason is the Refer-To
	// target. The REFER waits for the receiver's AnswerRefer.
	Referred
)

// callEventKindNames is an array, not a map: the linker lays it out, where a map
// would be built at every start of the engine.
var callEventKindNames = [...]string{
	Provisional:      "provisional",
	Answered:         "answered",
	Failed:           "failed",
	RemoteBye:        "remote-bye",
	RemoteCancel:     "remote-cancel",
	Ended:            "ended",
	Updated:          "updated",
	Redirected:       "redirected",
	BadAnswer:        "bad-answer",
	SessionExpired:   "session-expired",
	TransferProgress: "transfer-progress",
	Referred:         "referred",
}

func (k CallEventKind) String() string {
	if k >= 0 && int(k) < len(callEventKindNames) && callEventKindNames[k] != "" {
		return callEventKindNames[k]
	}
	return "unknown"
}

// Terminal reports whether no further event follows this one for the call.
func (k CallEventKind) Terminal() bool {
	return k == Failed || k == RemoteBye || k == RemoteCancel || k == Ended
}

// CallEvent reports progress or the end of one call.
type CallEvent struct {
	CallID     string // SIP Call-ID
	Kind       CallEventKind
	Code       int
	Reason     string
	SDP        []byte
	RemoteHeld bool // Updated only: the peer holds us (a=sendonly, a=inactive or c=0.0.0.0)
	// FromAck is set on an Updated whose SDP is the peer's answer, from the
	// ACK, to the offer our 200 made; its media must be usable or the call
	// ended.
	FromAck bool
	// Final is set on the TransferProgress whose NOTIFY ended the subscription.
	Final bool
}

func (RegEvent) isEvent()  {}
func (Incoming) isEvent()  {}
func (CallEvent) isEvent() {}

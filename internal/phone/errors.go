package phone

import (
	"errors"

	"github.com/wpservice/wpservice/internal/api"
)

// The engine's errors. Each wraps the api condition control maps to a wire code;
// call sites add the details with fmt.Errorf("%w: ...", ErrX), and the
// message the client reads is the sentinel's text and those details.
var (
	// ErrStopped is returned once the engine stopped, or while it stops.
	ErrStopped = api.Sentinel("the engine is stopping", api.ErrUnavailable)
	// ErrNoCall: the command names no call that exists.
	ErrNoCall = api.Sentinel("no such call", api.ErrNotFound)
	// ErrCallState: the command does not apply to the call in its state.
	ErrCallState = api.Sentinel("wrong call state", api.ErrInvalidState)
	// ErrLineBusy: the line asked for holds a call.
	ErrLineBusy = api.Sentinel("line busy", api.ErrInvalidState)
	// ErrNoFreeLine: every line holds a call.
	ErrNoFreeLine = api.Sentinel("every line is busy", api.ErrNoFreeLine)
	// ErrNoCodec: the account's codecs leave nothing to offer.
	ErrNoCodec = api.Sentinel("no usable codec configured", api.ErrInvalidState)
	// ErrMedia: no RTP session could be opened.
	ErrMedia = api.Sentinel("media unavailable", api.ErrUnavailable)
	// ErrHoldRefused: the peer answered a hold or resume re-INVITE with an error.
	ErrHoldRefused = api.Sentinel("the peer refused the re-INVITE", api.ErrUnavailable)
	// ErrHoldTimeout: the peer did not answer a hold or resume re-INVITE in time.
	ErrHoldTimeout = api.Sentinel("the peer did not answer the re-INVITE in time", api.ErrUnavailable)
	// ErrTransferRefused: the peer refused our REFER or did not answer it in time.
	ErrTransferRefused = api.Sentinel("the peer refused the transfer", api.ErrUnavailable)
	// ErrStorage: a change could not be saved, so it was not made.
	ErrStorage = api.Sentinel("the change could not be saved", api.ErrUnavailable)
	// ErrSignalling: the SIP stack could not send the request.
	ErrSignalling = api.Sentinel("signalling unavailable", api.ErrUnavailable)
	// ErrNoHistory: the engine keeps no call history.
	ErrNoHistory = api.Sentinel("no call history is kept", api.ErrUnavailable)
	// ErrNoChat: the engine keeps no instant messages, or its SIP stack sends none.
	ErrNoChat = api.Sentinel("no instant messages are kept", api.ErrUnavailable)
	// ErrNoConference: the command needs a conference, or a member of it, and there is none.
	ErrNoConference = api.Sentinel("not in a conference", api.ErrInvalidState)
	// ErrNoSound: no such file in the sounds folder, or it leads out of the folder.
	ErrNoSound = api.Sentinel("no such sound file", api.ErrNotFound)
	// ErrRecording: the recording's file could not be made.
	ErrRecording = api.Sentinel("the recording could not be made", api.ErrUnavailable)
	// ErrNoContact: contacts.set or contacts.delete named an id that is not in the list.
	ErrNoContact = api.Sentinel("no such contact", api.ErrNotFound)
	// ErrNoPickup: blf.pickup named a contact that is not ringing, or whose call cannot be picked up.
	ErrNoPickup = api.Sentinel("nothing to pick up", api.ErrInvalidState)
)

// errInvalidTransition means the input does not apply in the call's state. For a user
// command it becomes ErrCallState; for a network event it is logged and ignored.
var errInvalidTransition = errors.New("invalid transition")

// The errors of the accounts besides the default (accounts.go).
var (
	// ErrNoSuchAccount: the command names no account that exists.
	ErrNoSuchAccount = api.Sentinel("no such account", api.ErrNotFound)
	// ErrDefaultAccount: the default account cannot be removed; account.set changes it.
	ErrDefaultAccount = api.Sentinel("the default account cannot be removed", api.ErrInvalidState)
	// ErrNoAccounts: the SIP stack serves one account only.
	ErrNoAccounts = api.Sentinel("this engine serves one account", api.ErrUnavailable)
)

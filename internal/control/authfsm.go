package control

import (
	"errors"
	"fmt"
)

// maxAuthAttempts is how many auth messages with a wrong token one connection may
// send before it is closed (failures are also rate-limited per origin).
const maxAuthAttempts = 3

// authPhase is where a browser connection stands with authentication.
type authPhase uint8

const (
	phOpen       authPhase = iota // our own page or a provisioned origin, before its auth
	phNew                         // an origin that must pair, before a valid auth
	phRequesting                  // its auth is filing a pairing request with the gate
	phWaiting                     // asked the user, waiting for the answer
	phAdmitted                    // hello sent, commands run
	phEnded                       // closing or closed
	numPhases
)

var phaseNames = [numPhases]string{"open", "new", "requesting", "waiting", "admitted", "ended"}

func (p authPhase) String() string {
	if p < numPhases {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// unauthenticated reports whether a connection in p holds one of the gate's slots
// for connections that must pair (maxUnauthenticated); leaving p gives it back.
func (p authPhase) unauthenticated() bool {
	return p == phNew || p == phRequesting || p == phWaiting
}

// authState is a connection's authentication: its phase, the permission it has or
// will have once admitted, and its wrong tokens so far.
type authState struct {
	phase       authPhase
	perm        level
	wrongTokens int
}

func (s authState) String() string {
	return fmt.Sprintf("%v/%v/wrong=%d", s.phase, s.perm, s.wrongTokens)
}

// authInput is everything that can happen to a connection's authentication: a
// message from the client, the outcome of a gate operation the machine asked for,
// the user's approval, the timer, the end of the connection.
type authInput uint8

const (
	// from the client (the read pump)
	inAuth      authInput = iota // auth without a token
	inAuthToken                  // auth with a pairing token
	inCommand                    // any other message before admission, malformed ones included
	// outcomes of actCheckToken
	inTokenGood
	inTokenBad     // wrong token
	inTokenBlocked // the origin is rate-limited: refused whatever the token
	// outcomes of actRequestPairing
	inFiled    // the request is pending and the connection filed as waiting for it
	inNotFiled // the gate refused the request (cool-down, too many requests)
	// from elsewhere
	inApproved // the user approved the origin; the gate hands over the token
	inDeadline // the auth timer fired: no auth in time, or the request lapsed
	inEnd      // the connection is over
	numInputs
)

var inputNames = [numInputs]string{"auth", "auth-token", "command", "token-good", "token-bad",
	"token-blocked", "filed", "not-filed", "approved", "deadline", "end"}

func (in authInput) String() string {
	if in < numInputs {
		return inputNames[in]
	}
	return fmt.Sprintf("input(%d)", uint8(in))
}

// authAction is work the connection does after a step, in order. For a client
// message exactly one reply action comes back; the actions listed after it run
// once that reply is queued, so the client reads the reply before the hello or the
// close frame that follows.
type authAction uint8

const (
	// replies to the client's message
	actReplyAdmitted        authAction = iota + 1 // ok: origin and permission
	actReplyPairingRequired                       // pairing_required, with the pending request
	actReplyAuthFirst                             // unauthorized: the first message must be auth
	actReplyRefused                               // the gate's reason (wrong token, rate limit, cool-down)
	actReplyClosing                               // unauthorized: the connection is closing
	// gate operations whose outcome is the next input
	actCheckToken     // inTokenGood, inTokenBad or inTokenBlocked
	actRequestPairing // inFiled or inNotFiled
	// everything else
	actSendPaired     // the paired event with the token, to this connection only
	actAdmit          // subscribe to engine events with the permission; hello first
	actArmExpiry      // the timer now runs to the pending request's expiry
	actStopTimer      // no deadline any more
	actRelease        // give back the gate's unauthenticated slot
	actNotifyChanged  // pair.changed to the admins
	actUnwatch        // unsubscribe from engine events
	actForget         // drop the connection from the gate's tables
	actCloseAuthFirst // close 1008 with reasonAuthFirst
	actCloseFailed    // close 1008 with reasonAuthFailed
	actCloseTimeout   // close 1008 with reasonAuthTimeout
	actCloseExpired   // close 1008 with reasonExpired
	numActions
)

var actionNames = [numActions]string{"none", "reply-admitted", "reply-pairing-required",
	"reply-auth-first", "reply-refused", "reply-closing", "check-token", "request-pairing",
	"send-paired", "admit", "arm-expiry", "stop-timer", "release", "notify-changed", "unwatch",
	"forget", "close-auth-first", "close-failed", "close-timeout", "close-expired"}

func (a authAction) String() string {
	if a < numActions {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// isReply reports whether a answers the client's message.
func (a authAction) isReply() bool { return a >= actReplyAdmitted && a <= actReplyClosing }

// errUnexpected means the input cannot happen in that phase: the connection's
// goroutines never produce it there (a pairing outcome the machine did not ask for,
// a client message while the read pump is busy with the auth in progress).
var errUnexpected = errors.New("unexpected authentication input")

// authStep is the authentication state machine: a pure function of the state and
// the input. The connection serialises the inputs under its lock, commits the next
// state, then applies the actions.
func authStep(s authState, in authInput) (authState, []authAction, error) {
	p := s.phase
	next := s
	to := func(ph authPhase) authState { next.phase = ph; return next }
	// leaving releases the unauthenticated slot held in phNew, phRequesting and phWaiting.
	leaving := func(acts ...authAction) []authAction {
		if p.unauthenticated() {
			return append([]authAction{actRelease}, acts...)
		}
		return acts
	}
	// a pairing admits with control permission, which the connection replaces with
	// the pairing's own (account, when the user granted it); wrong tokens no longer matter.
	admitPaired := func() authState { return authState{phase: phAdmitted, perm: levelControl} }

	switch in {
	case inEnd:
		switch {
		case p == phAdmitted:
			return to(phEnded), []authAction{actUnwatch, actForget}, nil
		case p == phEnded:
			return next, []authAction{actStopTimer, actForget}, nil
		}
		return to(phEnded), leaving(actStopTimer, actForget), nil

	case inDeadline:
		switch p {
		case phOpen, phNew, phRequesting:
			return to(phEnded), leaving(actCloseTimeout), nil
		case phWaiting:
			return to(phEnded), leaving(actCloseExpired, actNotifyChanged), nil
		}
		return next, nil, nil // admitted or ended: a timer that fired as it was stopped

	case inApproved:
		switch p {
		case phRequesting, phWaiting:
			return admitPaired(), leaving(actStopTimer, actSendPaired, actAdmit), nil
		case phAdmitted, phEnded: // admitted by its token meanwhile, or gone
			return next, nil, nil
		}
	}

	switch p {
	case phOpen:
		switch in {
		case inAuth, inAuthToken: // no token needed; one sent is ignored
			return to(phAdmitted), []authAction{actStopTimer, actReplyAdmitted, actAdmit}, nil
		case inCommand:
			return to(phEnded), []authAction{actReplyAuthFirst, actCloseAuthFirst}, nil
		}

	case phNew, phWaiting:
		switch in {
		case inAuth:
			if p == phNew {
				return to(phRequesting), []authAction{actRequestPairing}, nil
			}
			return next, []authAction{actReplyPairingRequired}, nil
		case inAuthToken:
			return next, []authAction{actCheckToken}, nil
		case inTokenGood:
			return admitPaired(), leaving(actStopTimer, actReplyAdmitted, actAdmit), nil
		case inTokenBad:
			next.wrongTokens++
			if next.wrongTokens < maxAuthAttempts {
				return next, []authAction{actReplyRefused}, nil
			}
			return to(phEnded), leaving(actReplyRefused, actCloseFailed), nil
		case inTokenBlocked:
			return to(phEnded), leaving(actReplyRefused, actCloseFailed), nil
		case inCommand:
			if p == phWaiting {
				return next, []authAction{actReplyPairingRequired}, nil
			}
			return to(phEnded), leaving(actReplyAuthFirst, actCloseAuthFirst), nil
		}

	case phRequesting:
		switch in {
		case inFiled:
			return to(phWaiting), []authAction{actArmExpiry, actNotifyChanged, actReplyPairingRequired}, nil
		case inNotFiled:
			return to(phEnded), leaving(actReplyRefused, actCloseFailed), nil
		}

	case phAdmitted:
		switch in {
		case inAuth, inAuthToken, inTokenGood, inTokenBad, inTokenBlocked, inFiled:
			// auth again, or the user approved while this auth was in progress
			return next, []authAction{actReplyAdmitted}, nil
		case inCommand:
			// sent while waiting, read just as the approval admitted the connection
			return next, []authAction{actReplyPairingRequired}, nil
		}

	case phEnded:
		switch in {
		case inAuth, inAuthToken, inCommand, inTokenGood, inTokenBad, inTokenBlocked, inFiled, inNotFiled:
			return next, []authAction{actReplyClosing}, nil
		}
	}
	return s, nil, errUnexpected
}

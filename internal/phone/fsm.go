package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// state is a call's state; its wire names are the api.Call* constants.
type state uint8

const (
	stDialing state = iota
	stIncoming
	stRinging
	stEarly
	stActive
	stEnded
	numStates
)

var stateNames = [numStates]string{api.CallDialing, api.CallIncoming, api.CallRinging, api.CallEarly, api.CallActive, api.CallEnded}

func (s state) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

func parseState(name string) (state, bool) {
	for i, n := range stateNames {
		if n == name {
			return state(i), true
		}
	}
	return 0, false
}

// input is everything that can happen to a call: a user command, a SIP happening or a
// media/timer happening. The set is closed; step handles every (state, input) pair.
type input uint8

const (
	// user commands
	inAnswer input = iota
	inReject
	inHangup
	// local decision for an incoming call: send 180 and start ringing
	inRing
	// SIP
	inRinging    // 180, or 18x without SDP
	inEarlyMedia // 183 with SDP
	inAnswered   // 2xx
	inRejected   // final non-2xx response from the peer or a proxy
	inFailed     // transaction timeout, transport error, or a failure of our own
	inRemoteBye
	inRemoteCancel
	// media and engine
	inRTPTimeout
	inNetworkChanged // our address changed and the call cannot follow it
	inNoSRTP         // the account requires SRTP and the peer's answer has no usable key
	inNoMedia        // the peer's answer to our offer has no media we can use, or is missing
	inSessionExpired // the session timer ran out: no refresh came in time, or ours failed
	inTransferred    // the peer reached the target of our transfer (transfer.go)
	inForward        // call.forward or a forwarding policy: 302 to a ringing call (forward.go)
	inRefuse         // a call policy turns the call away (policy.go)
	inTimeLimit      // ringTimeoutOut or callTimeout passed (timelimit.go)
	inShutdown
	numInputs
)

var inputNames = [numInputs]string{"answer", "reject", "hangup", "ring", "ringing", "early-media", "answered", "rejected", "failed", "remote-bye", "remote-cancel", "rtp-timeout", "network-changed", "no-srtp", "no-media", "session-expired", "transferred", "forward", "refuse", "time-limit", "shutdown"}

func (in input) String() string {
	if in < numInputs {
		return inputNames[in]
	}
	return fmt.Sprintf("input(%d)", uint8(in))
}

// effect is work the actor performs after a transition, in order.
type effect uint8

const (
	fxSendRing    effect = iota + 1 // 180 Ringing on an incoming call
	fxSendAnswer                    // 200 OK with our SDP answer
	fxSendReject                    // final error response to an incoming INVITE
	fxSendHangup                    // CANCEL (not yet answered) or BYE
	fxStartMedia                    // start or update RTP with the peer's SDP
	fxStopMedia                     // close RTP
	fxSendForward                   // 302 Moved Temporarily to an incoming INVITE
)

func (e effect) String() string {
	return [...]string{"none", "send-ring", "send-answer", "send-reject", "send-hangup", "start-media", "stop-media", "send-forward"}[e]
}

// transition is the outcome of one step: the next state, the effects to run and, when
// the call ends, the kind of end cause.
type transition struct {
	next    state
	effects []effect
	cause   string // an api.Cause* kind when next is stEnded
}

// step is the call state machine: a pure function of the state, the call's direction and
// the input. It performs no I/O; the actor runs the returned effects.
func step(s state, outgoing bool, in input) (transition, error) {
	stay := transition{next: s}
	end := func(cause string, fx ...effect) (transition, error) {
		return transition{next: stEnded, effects: fx, cause: cause}, nil
	}
	switch {
	case s == stEnded:
		return transition{}, errInvalidTransition

	case outgoing && (s == stDialing || s == stRinging || s == stEarly):
		switch in {
		case inRinging:
			if s == stDialing {
				return transition{next: stRinging}, nil
			}
			return stay, nil
		case inEarlyMedia:
			return transition{next: stEarly, effects: []effect{fxStartMedia}}, nil
		case inAnswered:
			return transition{next: stActive, effects: []effect{fxStartMedia}}, nil
		case inRejected:
			return end(api.CauseRejected, fxStopMedia)
		case inFailed:
			return end(api.CauseFailed, fxStopMedia)
		case inHangup:
			return end(api.CauseLocalHangup, fxSendHangup, fxStopMedia)
		case inShutdown:
			return end(api.CauseShutdown, fxSendHangup, fxStopMedia)
		case inNoSRTP:
			return end(api.CauseEncryptionRequired, fxSendHangup, fxStopMedia)
		case inNoMedia:
			return end(api.CauseIncompatibleMedia, fxSendHangup, fxStopMedia)
		case inTimeLimit:
			return end(api.CauseTimeout, fxSendHangup, fxStopMedia)
		case inNetworkChanged:
			return end(api.CauseNetworkChanged, fxSendHangup, fxStopMedia)
		case inRemoteBye, inRemoteCancel:
			// a peer that gives up before answering sends a final error, never BYE;
			// be liberal all the same and end the call.
			return end(api.CauseRemoteHangup, fxStopMedia)
		}

	case !outgoing && (s == stIncoming || s == stRinging):
		switch in {
		case inRing:
			if s == stIncoming {
				return transition{next: stRinging, effects: []effect{fxSendRing}}, nil
			}
			return stay, nil
		case inAnswer:
			return transition{next: stActive, effects: []effect{fxSendAnswer, fxStartMedia}}, nil
		case inReject, inHangup:
			return end(api.CauseRejected, fxSendReject, fxStopMedia)
		case inRefuse:
			return end(api.CauseRefused, fxSendReject, fxStopMedia)
		case inForward:
			return end(api.CauseForwarded, fxSendForward, fxStopMedia)
		case inNetworkChanged:
			return end(api.CauseNetworkChanged, fxSendReject, fxStopMedia)
		case inRemoteCancel, inRemoteBye:
			return end(api.CauseRemoteHangup, fxStopMedia)
		case inFailed:
			return end(api.CauseFailed, fxStopMedia)
		case inShutdown:
			return end(api.CauseShutdown, fxSendReject, fxStopMedia)
		}

	case s == stActive:
		switch in {
		case inHangup:
			return end(api.CauseLocalHangup, fxSendHangup, fxStopMedia)
		case inRemoteBye:
			return end(api.CauseRemoteHangup, fxStopMedia)
		case inRTPTimeout:
			return end(api.CauseRTPTimeout, fxSendHangup, fxStopMedia)
		case inNetworkChanged:
			return end(api.CauseNetworkChanged, fxSendHangup, fxStopMedia)
		case inNoSRTP:
			return end(api.CauseEncryptionRequired, fxSendHangup, fxStopMedia)
		case inNoMedia:
			return end(api.CauseIncompatibleMedia, fxSendHangup, fxStopMedia)
		case inSessionExpired:
			return end(api.CauseSessionExpired, fxSendHangup, fxStopMedia)
		case inTransferred:
			return end(api.CauseTransferred, fxSendHangup, fxStopMedia)
		case inTimeLimit:
			return end(api.CauseTimeout, fxSendHangup, fxStopMedia)
		case inFailed:
			return end(api.CauseFailed, fxSendHangup, fxStopMedia)
		case inShutdown:
			return end(api.CauseShutdown, fxSendHangup, fxStopMedia)
		case inAnswered:
			// a retransmitted 2xx or a second 2xx from a forking proxy: nothing changes
			return stay, nil
		}
	}
	return transition{}, errInvalidTransition
}

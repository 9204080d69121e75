package control

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestAuthStepTable runs every input in every state: each phase, with the
// permissions and wrong-token counts that change an outcome. Pairs missing from
// want must be refused with errUnexpected, so adding a transition to authStep
// without adding it here fails the test, and so does removing one.
func TestAuthStepTable(t *testing.T) {
	type key struct {
		s  authState
		in authInput
	}
	type res struct {
		next authState
		acts []authAction
	}
	var (
		openRead   = authState{phase: phOpen, perm: levelRead}
		openAdmin  = authState{phase: phOpen, perm: levelAdmin}
		fresh      = authState{phase: phNew}
		lastChance = authState{phase: phNew, wrongTokens: maxAuthAttempts - 1}
		requesting = authState{phase: phRequesting}
		waiting    = authState{phase: phWaiting}
		waitLast   = authState{phase: phWaiting, wrongTokens: maxAuthAttempts - 1}
		admitted   = authState{phase: phAdmitted, perm: levelControl}
		ended      = authState{phase: phEnded}
	)
	states := []authState{openRead, openAdmin, fresh, lastChance, requesting, waiting, waitLast, admitted, ended}
	with := func(s authState, ph authPhase) authState { s.phase = ph; return s }
	paired := authState{phase: phAdmitted, perm: levelControl}

	want := map[key]res{}
	for _, s := range []authState{openRead, openAdmin} {
		for _, in := range []authInput{inAuth, inAuthToken} {
			want[key{s, in}] = res{with(s, phAdmitted), []authAction{actStopTimer, actReplyAdmitted, actAdmit}}
		}
		want[key{s, inCommand}] = res{with(s, phEnded), []authAction{actReplyAuthFirst, actCloseAuthFirst}}
		want[key{s, inDeadline}] = res{with(s, phEnded), []authAction{actCloseTimeout}}
		want[key{s, inEnd}] = res{with(s, phEnded), []authAction{actStopTimer, actForget}}
	}
	for _, s := range []authState{fresh, lastChance, waiting, waitLast} {
		wrong := s
		wrong.wrongTokens++
		if wrong.wrongTokens < maxAuthAttempts {
			want[key{s, inTokenBad}] = res{wrong, []authAction{actReplyRefused}}
		} else {
			want[key{s, inTokenBad}] = res{with(wrong, phEnded), []authAction{actRelease, actReplyRefused, actCloseFailed}}
		}
		want[key{s, inAuthToken}] = res{s, []authAction{actCheckToken}}
		want[key{s, inTokenGood}] = res{paired, []authAction{actRelease, actStopTimer, actReplyAdmitted, actAdmit}}
		want[key{s, inTokenBlocked}] = res{with(s, phEnded), []authAction{actRelease, actReplyRefused, actCloseFailed}}
		want[key{s, inEnd}] = res{with(s, phEnded), []authAction{actRelease, actStopTimer, actForget}}
	}
	for _, s := range []authState{fresh, lastChance} {
		want[key{s, inAuth}] = res{with(s, phRequesting), []authAction{actRequestPairing}}
		want[key{s, inCommand}] = res{with(s, phEnded), []authAction{actRelease, actReplyAuthFirst, actCloseAuthFirst}}
		want[key{s, inDeadline}] = res{with(s, phEnded), []authAction{actRelease, actCloseTimeout}}
	}
	for _, s := range []authState{waiting, waitLast} {
		want[key{s, inAuth}] = res{s, []authAction{actReplyPairingRequired}}
		want[key{s, inCommand}] = res{s, []authAction{actReplyPairingRequired}}
		want[key{s, inDeadline}] = res{with(s, phEnded), []authAction{actRelease, actCloseExpired, actNotifyChanged}}
		want[key{s, inApproved}] = res{paired, []authAction{actRelease, actStopTimer, actSendPaired, actAdmit}}
	}
	want[key{requesting, inFiled}] = res{with(requesting, phWaiting), []authAction{actArmExpiry, actNotifyChanged, actReplyPairingRequired}}
	want[key{requesting, inNotFiled}] = res{ended, []authAction{actRelease, actReplyRefused, actCloseFailed}}
	want[key{requesting, inApproved}] = res{paired, []authAction{actRelease, actStopTimer, actSendPaired, actAdmit}}
	want[key{requesting, inDeadline}] = res{ended, []authAction{actRelease, actCloseTimeout}}
	want[key{requesting, inEnd}] = res{ended, []authAction{actRelease, actStopTimer, actForget}}

	for _, in := range []authInput{inAuth, inAuthToken, inTokenGood, inTokenBad, inTokenBlocked, inFiled} {
		want[key{admitted, in}] = res{admitted, []authAction{actReplyAdmitted}}
	}
	want[key{admitted, inCommand}] = res{admitted, []authAction{actReplyPairingRequired}}
	want[key{admitted, inApproved}] = res{admitted, nil}
	want[key{admitted, inDeadline}] = res{admitted, nil}
	want[key{admitted, inEnd}] = res{with(admitted, phEnded), []authAction{actUnwatch, actForget}}

	for _, in := range []authInput{inAuth, inAuthToken, inCommand, inTokenGood, inTokenBad, inTokenBlocked, inFiled, inNotFiled} {
		want[key{ended, in}] = res{ended, []authAction{actReplyClosing}}
	}
	want[key{ended, inApproved}] = res{ended, nil}
	want[key{ended, inDeadline}] = res{ended, nil}
	want[key{ended, inEnd}] = res{ended, []authAction{actStopTimer, actForget}}

	checked := 0
	for _, s := range states {
		for in := range numInputs {
			name := fmt.Sprintf("%v/%v", s, in)
			next, acts, err := authStep(s, in)
			w, ok := want[key{s, in}]
			checked++
			if !ok {
				if !errors.Is(err, errUnexpected) || next != s || acts != nil {
					t.Errorf("%s: got %v %v %v, want errUnexpected", name, next, acts, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: unexpected error %v", name, err)
				continue
			}
			if next != w.next || !slices.Equal(acts, w.acts) {
				t.Errorf("%s: got %v %v, want %v %v", name, next, acts, w.next, w.acts)
			}
		}
	}
	if checked != len(states)*int(numInputs) {
		t.Fatalf("checked %d pairs", checked)
	}
}

// TestAuthStepInvariants checks what must hold for every state and input: a client
// message gets exactly one reply, and inputs that are not client messages get none;
// the actions after a reply never include a gate operation (its outcome could not be
// stepped before the reply); the unauthenticated slot is given back exactly when a
// phase that holds one is left; and nothing leaves phEnded.
func TestAuthStepInvariants(t *testing.T) {
	fromClient := map[authInput]bool{inAuth: true, inAuthToken: true, inCommand: true, inTokenGood: true,
		inTokenBad: true, inTokenBlocked: true, inFiled: true, inNotFiled: true}
	for ph := range numPhases {
		for wrong := range maxAuthAttempts {
			s := authState{phase: ph, perm: levelControl, wrongTokens: wrong}
			for in := range numInputs {
				next, acts, err := authStep(s, in)
				if err != nil {
					continue
				}
				name := fmt.Sprintf("%v/%v -> %v %v", s, in, next, acts)
				replies, gateOps := 0, 0
				for _, a := range acts {
					switch {
					case a.isReply():
						replies++
					case a == actCheckToken || a == actRequestPairing:
						gateOps++
						if replies > 0 {
							t.Errorf("%s: gate operation after the reply", name)
						}
					}
				}
				switch {
				case fromClient[in] && replies+gateOps != 1:
					t.Errorf("%s: a client message needs one reply or one gate operation", name)
				case !fromClient[in] && replies+gateOps != 0:
					t.Errorf("%s: reply or gate operation with nobody to answer", name)
				}
				released := slices.Contains(acts, actRelease)
				if leaves := ph.unauthenticated() && !next.phase.unauthenticated(); released != leaves {
					t.Errorf("%s: released %v, left the unauthenticated phases %v", name, released, leaves)
				}
				if ph == phEnded && next.phase != phEnded {
					t.Errorf("%s: left phEnded", name)
				}
				if (slices.Contains(acts, actAdmit)) != (next.phase == phAdmitted && ph != phAdmitted) {
					t.Errorf("%s: admit must come with entering phAdmitted, once", name)
				}
			}
		}
	}
}

func TestAuthNames(t *testing.T) {
	seen := map[string]bool{}
	for ph := range numPhases {
		seen[ph.String()] = true
	}
	for in := range numInputs {
		seen[in.String()] = true
	}
	for a := authAction(1); a < numActions; a++ {
		seen[a.String()] = true
	}
	if want := int(numPhases) + int(numInputs) + int(numActions) - 1; len(seen) != want {
		t.Errorf("%d distinct names for %d phases, inputs and actions", len(seen), want)
	}
}

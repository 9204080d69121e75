package phone

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// TestStepTable enumerates every (state, direction, input) triple. Triples missing from
// want must be rejected with errInvalidTransition, so adding a transition to step without
// adding it here fails the test, and so does removing one.
func TestStepTable(t *testing.T) {
	type key struct {
		s        state
		outgoing bool
		in       input
	}
	type res struct {
		next  state
		fx    []effect
		cause string
	}
	hang := []effect{fxSendHangup, fxStopMedia}
	rej := []effect{fxSendReject, fxStopMedia}
	stop := []effect{fxStopMedia}
	want := map[key]res{}
	for _, s := range []state{stDialing, stRinging, stEarly} {
		next := stRinging
		if s != stDialing {
			next = s
		}
		want[key{s, true, inRinging}] = res{next: next}
		want[key{s, true, inEarlyMedia}] = res{stEarly, []effect{fxStartMedia}, ""}
		want[key{s, true, inAnswered}] = res{stActive, []effect{fxStartMedia}, ""}
		want[key{s, true, inRejected}] = res{stEnded, stop, api.CauseRejected}
		want[key{s, true, inFailed}] = res{stEnded, stop, api.CauseFailed}
		want[key{s, true, inHangup}] = res{stEnded, hang, api.CauseLocalHangup}
		want[key{s, true, inRemoteBye}] = res{stEnded, stop, api.CauseRemoteHangup}
		want[key{s, true, inRemoteCancel}] = res{stEnded, stop, api.CauseRemoteHangup}
		want[key{s, true, inShutdown}] = res{stEnded, hang, api.CauseShutdown}
		want[key{s, true, inNoSRTP}] = res{stEnded, hang, api.CauseEncryptionRequired}
		want[key{s, true, inNoMedia}] = res{stEnded, hang, api.CauseIncompatibleMedia}
		want[key{s, true, inTimeLimit}] = res{stEnded, hang, api.CauseTimeout}
		want[key{s, true, inNetworkChanged}] = res{stEnded, hang, api.CauseNetworkChanged}
	}
	for _, s := range []state{stIncoming, stRinging} {
		ring := res{next: stRinging}
		if s == stIncoming {
			ring.fx = []effect{fxSendRing}
		}
		want[key{s, false, inRing}] = ring
		want[key{s, false, inAnswer}] = res{stActive, []effect{fxSendAnswer, fxStartMedia}, ""}
		want[key{s, false, inReject}] = res{stEnded, rej, api.CauseRejected}
		want[key{s, false, inHangup}] = res{stEnded, rej, api.CauseRejected}
		want[key{s, false, inRemoteCancel}] = res{stEnded, stop, api.CauseRemoteHangup}
		want[key{s, false, inRemoteBye}] = res{stEnded, stop, api.CauseRemoteHangup}
		want[key{s, false, inFailed}] = res{stEnded, stop, api.CauseFailed}
		want[key{s, false, inShutdown}] = res{stEnded, rej, api.CauseShutdown}
		want[key{s, false, inRefuse}] = res{stEnded, rej, api.CauseRefused}
		want[key{s, false, inForward}] = res{stEnded, []effect{fxSendForward, fxStopMedia}, api.CauseForwarded}
		want[key{s, false, inNetworkChanged}] = res{stEnded, rej, api.CauseNetworkChanged}
	}
	for _, out := range []bool{true, false} {
		want[key{stActive, out, inHangup}] = res{stEnded, hang, api.CauseLocalHangup}
		want[key{stActive, out, inRemoteBye}] = res{stEnded, stop, api.CauseRemoteHangup}
		want[key{stActive, out, inRTPTimeout}] = res{stEnded, hang, api.CauseRTPTimeout}
		want[key{stActive, out, inNetworkChanged}] = res{stEnded, hang, api.CauseNetworkChanged}
		want[key{stActive, out, inNoSRTP}] = res{stEnded, hang, api.CauseEncryptionRequired}
		want[key{stActive, out, inNoMedia}] = res{stEnded, hang, api.CauseIncompatibleMedia}
		want[key{stActive, out, inSessionExpired}] = res{stEnded, hang, api.CauseSessionExpired}
		want[key{stActive, out, inTransferred}] = res{stEnded, hang, api.CauseTransferred}
		want[key{stActive, out, inFailed}] = res{stEnded, hang, api.CauseFailed}
		want[key{stActive, out, inAnswered}] = res{next: stActive}
		want[key{stActive, out, inShutdown}] = res{stEnded, hang, api.CauseShutdown}
		want[key{stActive, out, inTimeLimit}] = res{stEnded, hang, api.CauseTimeout}
	}

	checked := 0
	for s := range numStates {
		for _, out := range []bool{true, false} {
			for in := range numInputs {
				k := key{s, out, in}
				name := fmt.Sprintf("%v/out=%v/%v", s, out, in)
				got, err := step(s, out, in)
				w, ok := want[k]
				checked++
				if !ok {
					if !errors.Is(err, errInvalidTransition) {
						t.Errorf("%s: got %v %v, want errInvalidTransition", name, got, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: unexpected error %v", name, err)
					continue
				}
				if got.next != w.next || !slices.Equal(got.effects, w.fx) || got.cause != w.cause {
					t.Errorf("%s: got next=%v fx=%v cause=%q, want next=%v fx=%v cause=%q",
						name, got.next, got.effects, got.cause, w.next, w.fx, w.cause)
				}
			}
		}
	}
	if checked != int(numStates)*2*int(numInputs) {
		t.Fatalf("checked %d triples", checked)
	}
}

func TestStateNamesRoundTrip(t *testing.T) {
	for s := range numStates {
		got, ok := parseState(s.String())
		if !ok || got != s {
			t.Errorf("parseState(%q) = %v, %v", s.String(), got, ok)
		}
	}
	if _, ok := parseState("bogus"); ok {
		t.Error("parseState accepted an unknown name")
	}
	seen := map[string]bool{}
	for in := range numInputs {
		name := in.String()
		if seen[name] || name == fmt.Sprintf("input(%d)", uint8(in)) {
			t.Errorf("input %d: missing or duplicate name %q", in, name)
		}
		seen[name] = true
	}
}

package phone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/control"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Hold makes fakeDialog a Dialog: it records "hold" or "resume", waits for holdGate
// when set, and answers with holdAnswer or holdErr.
func (d *fakeDialog) Hold(ctx context.Context, hold bool) ([]byte, error) {
	d.record(map[bool]string{true: "hold", false: "resume"}[hold])
	d.mu.Lock()
	gate, answer, err := d.holdGate, d.holdAnswer, d.holdErr
	d.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return answer, err
}

// TestHoldStepTable enumerates every (hold state, input) pair; pairs missing from want
// must be rejected with errInvalidTransition.
func TestHoldStepTable(t *testing.T) {
	type key struct {
		s  holdState
		in holdInput
	}
	type res struct {
		next holdState
		send bool
		err  error
	}
	want := map[key]res{
		{holdOff, hiHold}:         {holdGoing, true, nil},
		{holdOff, hiResume}:       {holdOff, false, nil},
		{holdOn, hiHold}:          {holdOn, false, nil},
		{holdOn, hiResume}:        {holdLeaving, true, nil},
		{holdGoing, hiHold}:       {holdGoing, false, errHoldBusy},
		{holdGoing, hiResume}:     {holdGoing, false, errHoldBusy},
		{holdLeaving, hiHold}:     {holdLeaving, false, errHoldBusy},
		{holdLeaving, hiResume}:   {holdLeaving, false, errHoldBusy},
		{holdGoing, hiAccepted}:   {holdOn, false, nil},
		{holdGoing, hiRefused}:    {holdOff, false, nil},
		{holdLeaving, hiAccepted}: {holdOff, false, nil},
		{holdLeaving, hiRefused}:  {holdOn, false, nil},
	}
	for s := range numHoldStates {
		for in := range numHoldInputs {
			next, send, err := holdStep(s, in)
			w, ok := want[key{s, in}]
			if !ok {
				w = res{s, false, errInvalidTransition}
			}
			if next != w.next || send != w.send || !errors.Is(err, w.err) || (w.err == nil) != (err == nil) {
				t.Errorf("%s + %s = %s send=%v err=%v, want %s send=%v err=%v", s, in, next, send, err, w.next, w.send, w.err)
			}
		}
	}
	for s := range numHoldStates {
		if got, want := s.held(), s == holdOn || s == holdLeaving; got != want {
			t.Errorf("%s.held() = %v", s, got)
		}
	}
}

// TestPumpWhileHeld checks what one frame does for each hold combination: we hold →
// silence out, nothing played; the peer holds us → nothing sent, its audio played.
func TestPumpWhileHeld(t *testing.T) {
	tests := []struct {
		held, remoteHeld bool
		wantSent         string // mic, silence or none
		wantPlayed       bool
	}{
		{false, false, "mic", true},
		{true, false, "silence", false},
		{false, true, "none", true},
		{true, true, "none", false},
	}
	rx := make([]int16, audio.FrameSamples)
	audio.NewToneSource(400, 5000).ReadFrame(rx)
	for _, tt := range tests {
		t.Run(fmt.Sprintf("held=%v,remoteHeld=%v", tt.held, tt.remoteHeld), func(t *testing.T) {
			a := &fakeAudio{src: audio.NewToneSource(1000, 8000)}
			p := newPump(a, slog.New(slog.DiscardHandler), func(string, any) {})
			s := &fakeStream{rxFrame: rx}
			p.setPlan(&mixPlan{legs: []leg{{stream: s, held: tt.held, remoteHeld: tt.remoteHeld}}, vol: unityVolumes})
			p.step()

			sent := "none"
			if len(s.written) == 1 {
				sent = "silence"
				if slices.ContainsFunc(s.written[0], func(v int16) bool { return v != 0 }) {
					sent = "mic"
				}
			}
			if sent != tt.wantSent {
				t.Errorf("sent %s, want %s", sent, tt.wantSent)
			}
			if len(a.sunk) != 1 {
				t.Fatalf("the speaker got %d frames, want 1", len(a.sunk))
			}
			if played := slices.Equal(a.sunk[0], rx); played != tt.wantPlayed {
				t.Errorf("received audio played: %v, want %v", played, tt.wantPlayed)
			}
		})
	}
}

// activeOutgoing dials bob and lets the fake peer answer.
func activeOutgoing(t *testing.T, r *rig) (*fakeDialog, api.CallState) {
	t.Helper()
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	return d, r.expectStates(api.CallActive)
}

func holdSDP(port int, dir string) []byte {
	return sipstack.BuildSDP(7, 2, sipstack.MediaDesc{IP: "127.0.0.1", Port: port, Codecs: []sipstack.Codec{pcmu}, DTMFPT: 101, Direction: dir})
}

func TestHoldAndResume(t *testing.T) {
	r := newRig(t, nil)
	d, cs := activeOutgoing(t, r)
	ref := api.CallRef{CallID: cs.CallID}
	d.holdAnswer = holdSDP(30000, sipstack.DirRecvOnly)

	r.mustDo(api.CmdCallHold.Name, &api.HoldArgs{CallRef: ref, Hold: true})
	if cs := r.nextCallState(); !cs.Held || cs.RemoteHeld || cs.State != api.CallActive {
		t.Fatalf("after hold: %+v", cs)
	}
	// Holding a held call sends nothing more.
	r.mustDo(api.CmdCallHold.Name, &api.HoldArgs{CallRef: ref, Hold: true})
	r.mustDo(api.CmdCallHold.Name, &api.HoldArgs{CallRef: ref, Hold: false})
	if cs := r.nextCallState(); cs.Held {
		t.Fatalf("after resume: %+v", cs)
	}
	if got := d.did(); !slices.Equal(got, []string{"hold", "resume"}) {
		t.Errorf("re-INVITEs %v, want hold then resume", got)
	}
	// Resuming a call that is not held sends nothing either.
	r.mustDo(api.CmdCallHold.Name, &api.HoldArgs{CallRef: ref, Hold: false})
	if got := d.did(); len(got) != 2 {
		t.Errorf("re-INVITEs %v after a needless resume", got)
	}
}

func TestHoldErrors(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	if _, err := r.do(api.CmdCallHold.Name, &api.HoldArgs{Hold: true}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("hold while dialing: %v, want invalid_state", err)
	}
	if _, err := r.do(api.CmdCallHold.Name, &api.HoldArgs{CallRef: api.CallRef{Line: 2}, Hold: true}); apiCode(err) != api.CodeNotFound {
		t.Errorf("hold on an empty line: %v, want not_found", err)
	}
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.expectStates(api.CallActive)

	tests := []struct {
		name    string
		err     error
		code    string
		message string
	}{
		{"refused", &sipstack.StatusError{Code: 488, Reason: "Not Acceptable Here"}, api.CodeUnavailable, "488"},
		{"glare", &sipstack.StatusError{Code: 491, Reason: "Request Pending"}, api.CodeUnavailable, "491"},
		{"timeout", fmt.Errorf("re-INVITE: %w", context.DeadlineExceeded), api.CodeUnavailable, "in time"},
		{"call gone", sipstack.ErrCallEnded, api.CodeInvalidState, "ended"},
	}
	for _, tt := range tests {
		d.mu.Lock()
		d.holdErr = tt.err
		d.mu.Unlock()
		_, err := r.do(api.CmdCallHold.Name, &api.HoldArgs{Hold: true})
		ae := control.WireError(err)
		if err == nil || ae.Code != tt.code || !strings.Contains(ae.Message, tt.message) {
			t.Errorf("%s: %v, want %s mentioning %q", tt.name, err, tt.code, tt.message)
		}
		if st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); st.Lines[0].Held {
			t.Errorf("%s: a failed hold left the call held", tt.name)
		}
	}

	// A second change while the first re-INVITE is in flight is refused.
	gate := make(chan struct{})
	d.mu.Lock()
	d.holdErr, d.holdGate = nil, gate
	d.mu.Unlock()
	first := make(chan error, 1)
	go func() { _, err := r.do(api.CmdCallHold.Name, &api.HoldArgs{Hold: true}); first <- err }()
	waitFor(t, func() bool { return len(d.did()) == len(tests)+1 })
	if _, err := r.do(api.CmdCallHold.Name, &api.HoldArgs{Hold: false}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("resume during the hold re-INVITE: %v, want invalid_state", err)
	}
	close(gate)
	if err := <-first; err != nil {
		t.Fatalf("the first hold: %v", err)
	}
	if cs := r.nextCallState(); !cs.Held {
		t.Errorf("held not reported: %+v", cs)
	}
}

func TestRemoteHoldAndMediaMove(t *testing.T) {
	r := newRig(t, nil)
	d, _ := activeOutgoing(t, r)
	s := r.lastStream()
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	update := func(sdp []byte, remoteHeld bool) {
		adapter.HandleEvent(sipstack.CallEvent{CallID: d.id, Kind: sipstack.Updated, SDP: sdp, RemoteHeld: remoteHeld})
		r.sync()
	}

	update(holdSDP(30000, sipstack.DirSendOnly), true)
	if cs := r.nextCallState(); !cs.RemoteHeld || cs.Held {
		t.Fatalf("after the peer's hold: %+v", cs)
	}
	if len(s.params) != 1 {
		t.Errorf("the same address restarted the stream: %+v", s.params)
	}
	// The old RFC 2543 hold, c=0.0.0.0, is no address to send to.
	update(sipstack.BuildSDP(7, 3, sipstack.MediaDesc{IP: "0.0.0.0", Port: 30000, Codecs: []sipstack.Codec{pcmu}}), true)
	if len(s.params) != 1 {
		t.Errorf("c=0.0.0.0 moved the stream: %v", s.params[len(s.params)-1].Remote)
	}
	// The peer resumes from another port: media follows it.
	update(holdSDP(30008, sipstack.DirSendRecv), false)
	if cs := r.nextCallState(); cs.RemoteHeld {
		t.Fatalf("after the peer's resume: %+v", cs)
	}
	if len(s.params) != 2 || s.params[1].Remote.Port != 30008 {
		t.Errorf("stream not moved to 30008: %+v", s.params)
	}
}

func TestRTPTimeoutSuspendedWhileHeld(t *testing.T) {
	r := newRig(t, nil) // RTP timeout 10 s; the fake stream never receives
	d, _ := activeOutgoing(t, r)
	check := func() api.CallState {
		r.p.post(r.p.checkRTPTimeouts)
		return r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot).Lines[0]
	}
	r.mustDo(api.CmdCallHold.Name, &api.HoldArgs{Hold: true})
	r.nextCallState()
	r.advance(time.Minute)
	if cs := check(); cs.State != api.CallActive {
		t.Fatalf("a held call timed out: %+v", cs)
	}
	r.mustDo(api.CmdCallHold.Name, &api.HoldArgs{Hold: false})
	r.nextCallState()
	r.advance(9 * time.Second)
	if cs := check(); cs.State != api.CallActive {
		t.Fatalf("timed out 9 s after the resume: %+v", cs)
	}
	r.advance(time.Second)
	r.p.post(r.p.checkRTPTimeouts)
	if cs := r.expectStates(api.CallEnded); cs.Cause.Kind != api.CauseRTPTimeout {
		t.Errorf("cause %+v", cs.Cause)
	}
	waitFor(t, func() bool { return slices.Equal(d.did(), []string{"hold", "resume", "hangup"}) })
}

package phone

import (
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/sipstack"
)

func TestOutgoingCallLifecycle(t *testing.T) {
	r := newRig(t, nil)
	res := r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"}).(api.DialResult)
	if res.Line != 1 || res.CallID == "" {
		t.Fatalf("dial result %+v", res)
	}
	d := r.sip.lastDial(t)
	if d.target != "sip:bob@127.0.0.1:5060" {
		t.Errorf("dialed %q", d.target)
	}
	cs := r.expectStates(api.CallDialing)
	if cs.Direction != api.DirOutgoing || cs.SIPCallID != d.id || cs.PeerUser != "bob" {
		t.Errorf("dialing event %+v", cs)
	}

	r.sipEvent(d.id, inRinging, 180, nil)
	if cs := r.expectStates(api.CallRinging); cs.SIPCode != 180 {
		t.Errorf("ringing sip code %d", cs.SIPCode)
	}
	// the peer answers with PCMA only: we must send PCMA to its address
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcma))
	if cs := r.expectStates(api.CallActive); cs.Codec != "PCMA" || cs.AnsweredAt == 0 {
		t.Errorf("active event %+v", cs)
	}
	s := r.lastStream()
	if len(s.params) != 1 || s.params[0].PayloadType != 8 || s.params[0].Remote.Port != 30000 || s.params[0].DTMFPayloadType != 101 {
		t.Fatalf("media params %+v", s.params)
	}

	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{})
	cs = r.expectStates(api.CallEnded)
	if cs.Cause == nil || cs.Cause.Kind != api.CauseLocalHangup {
		t.Errorf("cause %+v", cs.Cause)
	}
	waitFor(t, func() bool { return slices.Equal(d.did(), []string{"hangup"}) })
	if !s.closed {
		t.Error("stream not closed")
	}
	if st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(st.Lines) != 0 {
		t.Errorf("line not freed: %+v", st.Lines)
	}
}

func TestIncomingCallAnswerAndRemoteBye(t *testing.T) {
	r := newRig(t, nil)
	d := &fakeDialog{id: "sip-in-1"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", FromUser: "carol", FromName: "Carol", SDP: peerSDP(31000, g729, pcma, pcmu)})
	})
	cs := r.expectStates(api.CallIncoming, api.CallRinging)
	if cs.Direction != api.DirIncoming || cs.PeerName != "Carol" {
		t.Errorf("incoming %+v", cs)
	}
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	if cs := r.expectStates(api.CallActive); cs.Codec != "PCMU" {
		t.Errorf("codec %q, want our first preference PCMU", cs.Codec)
	}
	if got := d.did(); !slices.Equal(got, []string{"ring", "answer"}) {
		t.Errorf("dialog actions %v", got)
	}
	if len(d.answer) == 0 {
		t.Error("answered without SDP")
	}
	r.sipEvent(d.id, inRemoteBye, 0, nil)
	if cs := r.expectStates(api.CallEnded); cs.Cause.Kind != api.CauseRemoteHangup {
		t.Errorf("cause %+v", cs.Cause)
	}
}

func TestIncomingRejects(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.MaxLines = 1 })
	bad := &fakeDialog{id: "g729-only"}
	r.p.post(func() { r.p.onIncoming(Incoming{Dialog: bad, From: "sip:x@h", SDP: peerSDP(1000, g729)}) })
	r.sync()
	if got := bad.did(); !slices.Equal(got, []string{"reject 488"}) {
		t.Errorf("no common codec: %v", got)
	}
	first := &fakeDialog{id: "first"}
	r.p.post(func() { r.p.onIncoming(Incoming{Dialog: first, From: "sip:x@h", SDP: peerSDP(1000, pcmu)}) })
	busy := &fakeDialog{id: "busy"}
	r.p.post(func() { r.p.onIncoming(Incoming{Dialog: busy, From: "sip:y@h", SDP: peerSDP(1002, pcmu)}) })
	r.sync()
	if got := busy.did(); !slices.Equal(got, []string{"reject 486"}) {
		t.Errorf("all lines busy: %v", got)
	}
	r.mustDo(api.CmdCallReject.Name, &api.RejectArgs{Code: 603})
	if got := first.did(); !slices.Equal(got, []string{"ring", "reject 603"}) {
		t.Errorf("reject 603: %v", got)
	}
	if _, err := r.do(api.CmdCallReject.Name, &api.RejectArgs{Code: 200}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("reject code 200: %v", err)
	}
}

func TestCommandErrors(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.MaxLines = 1 })
	tests := []struct {
		name string
		cmd  string
		args any
		code string
	}{
		{"hangup without a call", api.CmdCallHangup.Name, &api.HangupArgs{}, api.CodeNotFound},
		{"answer unknown id", api.CmdCallAnswer.Name, &api.CallRef{CallID: "nope"}, api.CodeNotFound},
		{"header injection in dial", api.CmdCallDial.Name, &api.DialArgs{To: "bob\r\nX-Evil: 1"}, api.CodeInvalidArgs},
		{"angle bracket in dial", api.CmdCallDial.Name, &api.DialArgs{To: "sip:bob@h>"}, api.CodeInvalidArgs},
		{"bad dtmf", api.CmdCallDTMF.Name, &api.DTMFArgs{Digits: "12x"}, api.CodeInvalidArgs},
		{"line out of range", api.CmdLineSelect.Name, &api.LineArgs{Line: 5}, api.CodeInvalidArgs},
		{"bad transport", api.CmdAccountSet.Name, &api.AccountArgs{Transport: ptr("sctp")}, api.CodeInvalidArgs},
		{"unknown codec", api.CmdAccountSet.Name, &api.AccountArgs{Codecs: &[]string{"PCMU", "G729"}}, api.CodeInvalidArgs},
		{"server with CRLF", api.CmdAccountSet.Name, &api.AccountArgs{Server: ptr("pbx\r\nVia: x")}, api.CodeInvalidArgs},
		{"device not found", api.CmdDevicesSelect.Name, &api.DeviceSelectArgs{Input: "missing"}, api.CodeNotFound},
		{"unknown command", "call.fly", nil, api.CodeUnknownCommand},
	}
	for _, tt := range tests {
		_, err := r.do(tt.cmd, tt.args)
		if apiCode(err) != tt.code {
			t.Errorf("%s: err %v, want %s", tt.name, err, tt.code)
		}
	}
	// a second call on a one-line phone, and answering our own outgoing call
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	if _, err := r.do(api.CmdCallDial.Name, &api.DialArgs{To: "carol"}); apiCode(err) != api.CodeNoFreeLine {
		t.Errorf("second dial: %v", err)
	}
	if _, err := r.do(api.CmdCallAnswer.Name, &api.CallRef{Line: 1}); apiCode(err) != api.CodeInvalidState {
		t.Errorf("answer outgoing: %v", err)
	}
	// the account was not changed by the refused account.set calls
	acc := r.mustDo(api.CmdAccountGet.Name, nil).(api.Account)
	if acc.Transport != "" || acc.Server != "127.0.0.1:5060" {
		t.Errorf("account changed by refused sets: %+v", acc)
	}
}

func TestAccountSetNeverReturnsPassword(t *testing.T) {
	r := newRig(t, nil)
	acc := r.mustDo(api.CmdAccountSet.Name, &api.AccountArgs{Password: ptr("hunter2"), Register: ptr(true)}).(api.Account)
	if !acc.HasPassword || acc.Transport != "udp" || acc.RegisterInterval != 300 {
		t.Errorf("account %+v", acc)
	}
	r.sip.mu.Lock()
	if r.sip.acc.Password != "hunter2" || r.sip.registers != 1 {
		t.Errorf("sip got %+v, %d registers", r.sip.acc, r.sip.registers)
	}
	r.sip.mu.Unlock()
	for _, v := range []any{acc, r.mustDo(api.CmdStatus.Name, nil)} {
		if s := toJSON(t, v); contains(s, "hunter2") {
			t.Errorf("password leaked: %s", s)
		}
	}
}

func TestDialStringDTMFAndReceivedDTMF(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.DTMFDelay = time.Millisecond })
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "ivr,12#"})
	d := r.sip.lastDial(t)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	s := r.lastStream()
	waitFor(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return slices.Equal(s.dtmf, []string{"12#"})
	})
	s.params[0].OnDTMF('5', 100*time.Millisecond)
	for ev := range r.events {
		if ev.Event == api.EvCallDTMF {
			if e := ev.Data.(api.DTMFEvent); e.Digit != "5" || e.Line != 1 || e.Duration != 100 {
				t.Errorf("dtmf event %+v", e)
			}
			break
		}
	}
}

func TestRTPTimeoutEndsCall(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.expectStates(api.CallDialing, api.CallActive)
	r.advance(9 * time.Second)
	r.p.post(r.p.checkRTPTimeouts)
	r.sync()
	r.advance(2 * time.Second)
	r.p.post(r.p.checkRTPTimeouts)
	cs := r.expectStates(api.CallEnded)
	if cs.Cause.Kind != api.CauseRTPTimeout {
		t.Errorf("cause %+v", cs.Cause)
	}
	waitFor(t, func() bool { return slices.Equal(d.did(), []string{"hangup"}) })
}

func TestShutdownHangsUpAndUnregisters(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.p.post(func() { r.p.onRegState(api.RegState{State: api.RegRegistered, Code: 200}) })
	r.sync()
	start := time.Now()
	r.stop()
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("shutdown took %v", el)
	}
	if got := d.did(); !slices.Equal(got, []string{"hangup"}) {
		t.Errorf("call not hung up on shutdown: %v", got)
	}
	if r.sip.unregisters != 1 {
		t.Errorf("unregisters = %d", r.sip.unregisters)
	}
	if _, err := r.p.do(t.Context(), api.CmdStatus.Name, nil); err == nil {
		t.Error("Do after stop succeeded")
	}
}

func TestWatchSnapshotThenOrderedEvents(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	r.sync()
	late := make(chan api.Event, 10)
	hello, cancel := r.p.Watch(func(ev api.Event) { late <- ev })
	defer cancel()
	h := hello.Data.(api.Hello)
	if h.Protocol != api.ProtocolVersion || len(h.Snapshot.Lines) != 1 || h.Snapshot.Lines[0].State != api.CallDialing {
		t.Fatalf("hello %+v", h)
	}
	d := r.sip.lastDial(t)
	r.sipEvent(d.id, inRinging, 180, nil)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	prev := hello.Seq
	for _, want := range []string{api.CallRinging, api.CallActive} {
		ev := <-late
		if ev.Seq != prev+1 || ev.Data.(api.CallState).State != want {
			t.Errorf("event seq %d (prev %d) %+v, want %s", ev.Seq, prev, ev.Data, want)
		}
		prev = ev.Seq
	}
}

// Only the selected line's call is connected: it gets the microphone and is heard;
// the other call gets silence and is not played (auto-hold off, so it is not held).
func TestMediaClockConnectsOnlyTheSelectedLine(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	r.sipEvent(r.sip.lastDial(t).id, inAnswered, 200, peerSDP(30000, pcmu))
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "carol"})
	r.sipEvent(r.sip.lastDial(t).id, inAnswered, 200, peerSDP(30002, pcmu))
	r.smu.Lock()
	s1, s2 := r.stream[0], r.stream[1]
	r.smu.Unlock()
	s1.rxFrame = constFrame(1000)
	s2.rxFrame = constFrame(2000)
	r.mustDo(api.CmdLineSelect.Name, &api.LineArgs{Line: 1})
	r.ticks(5)
	if lvl := audio.ToneLevel(s1.lastWritten(), audio.SampleRate, 1000); lvl < 0.1 {
		t.Errorf("selected line 1 did not get the microphone tone: level %v", lvl)
	}
	if audio.RMS(s2.lastWritten()) != 0 {
		t.Error("line 2, not selected, got microphone audio")
	}
	if spk := r.lastSunk(); spk[0] != 1000 || spk[159] != 1000 {
		t.Errorf("speaker got %d, want line 1 only (1000)", spk[0])
	}
	r.mustDo(api.CmdCallMute.Name, &api.MuteArgs{CallRef: api.CallRef{Line: 1}, Mute: true})
	r.ticks(2)
	if audio.RMS(s1.lastWritten()) != 0 {
		t.Error("muted line 1 got microphone audio")
	}
}

func constFrame(v int16) []int16 {
	f := make([]int16, audio.FrameSamples)
	for i := range f {
		f[i] = v
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 2 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestAnswerUsesCallersTelephoneEvent(t *testing.T) {
	for _, pt := range []uint8{96, 0} {
		r := newRig(t, func(c *Config) { c.Settings.AutoAnswer = true })
		d := &fakeDialog{id: "in"}
		offer := sipstack.BuildSDP(1, 1, sipstack.MediaDesc{IP: "127.0.0.1", Port: 4000, Codecs: []sipstack.Codec{pcmu}, DTMFPT: pt, Direction: "sendrecv"})
		r.p.post(func() { r.p.onIncoming(Incoming{Dialog: d, From: "sip:x@h", SDP: offer}) })
		r.expectStates(api.CallIncoming, api.CallRinging, api.CallActive)
		ans, err := sipstack.ParseSDP(d.answer)
		if err != nil || ans.DTMFPT != pt {
			t.Errorf("caller offered telephone-event %d; answer has %d (%v)", pt, ans.DTMFPT, err)
		}
		if got := r.lastStream().started()[0].DTMFPayloadType; got != pt {
			t.Errorf("stream expects DTMF on %d, want %d", got, pt)
		}
	}
}

// Every change of snapshot state is reported, so another connection's mirror stays true.
func TestStateChangesAreEvents(t *testing.T) {
	r := newRig(t, nil)
	next := func(name string) api.Event {
		t.Helper()
		for {
			select {
			case ev := <-r.events:
				if ev.Event == name {
					return ev
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("no %s event", name)
			}
		}
	}
	r.mustDo(api.CmdAccountSet.Name, &api.AccountArgs{DisplayName: ptr("Alice"), Password: ptr("hunter2")})
	ev := next(api.EvAccount)
	if a := ev.Data.(api.Account); a.DisplayName != "Alice" || !a.HasPassword || contains(toJSON(t, ev), "hunter2") {
		t.Errorf("account.changed %s", toJSON(t, ev))
	}
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{AutoAnswer: ptr(true)})
	if s := next(api.EvSettings).Data.(api.Settings); !s.AutoAnswer {
		t.Errorf("settings.changed %+v", s)
	}
	r.mustDo(api.CmdLineSelect.Name, &api.LineArgs{Line: 2})
	if l := next(api.EvLineSelected).Data.(api.LineSelected); l.Line != 2 {
		t.Errorf("line.selected %+v", l)
	}
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"}) // takes line 1 and selects it
	if l := next(api.EvLineSelected).Data.(api.LineSelected); l.Line != 1 {
		t.Errorf("line.selected after dial %+v", l)
	}
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{})
	if l := next(api.EvLineSelected).Data.(api.LineSelected); l.Line != 0 {
		t.Errorf("line.selected after the only call ended %+v", l)
	}
}

package phone

import (
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// lastWritten is the last frame the media clock sent on s.
func (s *fakeStream) lastWritten() []int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written[len(s.written)-1]
}

// lastSunk is the last frame the speaker played.
func (r *rig) lastSunk() []int16 {
	r.audio.mu.Lock()
	defer r.audio.mu.Unlock()
	return r.audio.sunk[len(r.audio.sunk)-1]
}

// autoHoldRig is a rig with auto-hold on and an active call to bob on line 1, its
// stream receiving 1000s.
func autoHoldRig(t *testing.T) (*rig, *fakeDialog, *fakeStream) {
	r := newRig(t, func(c *Config) { c.Settings.AutoHold = true })
	d, _ := activeOutgoing(t, r)
	s := r.lastStream()
	s.rxFrame = constFrame(1000)
	return r, d, s
}

// waitDid waits until d sent want, in that order.
func waitDid(t *testing.T, d *fakeDialog, want ...string) {
	t.Helper()
	waitFor(t, func() bool { return slices.Equal(d.did(), want) })
}

// lineHeld reports whether the call on line is on hold by our side.
func (r *rig) lineHeld(line int) bool {
	for _, cs := range r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot).Lines {
		if cs.Line == line {
			return cs.Held
		}
	}
	return false
}

func (r *rig) selected() int {
	return r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot).SelectedLine
}

// Dialing a second call holds the first; selecting the first again resumes it and
// holds the second.
func TestAutoHoldOnDialAndSelect(t *testing.T) {
	r, bob, s1 := autoHoldRig(t)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "carol"})
	waitDid(t, bob, "hold")
	carol := r.sip.lastDial(t)
	r.sipEvent(carol.id, inAnswered, 200, peerSDP(30002, pcmu))
	if r.selected() != 2 {
		t.Fatalf("selected line %d after dialing, want 2", r.selected())
	}
	r.ticks(2)
	if audio.RMS(s1.lastWritten()) != 0 {
		t.Error("the held call on line 1 got microphone audio")
	}

	r.mustDo(api.CmdLineSelect.Name, &api.LineArgs{Line: 1})
	waitDid(t, carol, "hold")
	waitDid(t, bob, "hold", "resume")
	waitFor(t, func() bool { return !r.lineHeld(1) }) // the resume's answer reached the actor
	r.ticks(2)
	if lvl := audio.ToneLevel(s1.lastWritten(), audio.SampleRate, 1000); lvl < 0.1 {
		t.Errorf("line 1, resumed and selected, did not get the microphone: level %v", lvl)
	}
}

// Answering a call waiting holds the call in progress; the waiting call rings on its
// own line with the call-waiting tone, not the ringer, and the user's call stays
// selected until then.
func TestAutoHoldOnAnswerAndCallWaitingTone(t *testing.T) {
	r, bob, _ := autoHoldRig(t)
	_, waiting := r.incoming("in-2")
	if waiting.Line != 2 || r.selected() != 1 {
		t.Fatalf("call waiting on line %d, selected %d; want 2 and 1", waiting.Line, r.selected())
	}
	if pl := r.p.pump.plan.Load(); pl.ring || !pl.waiting {
		t.Errorf("plan ring %v waiting %v during a call, want the call-waiting tone only", pl.ring, pl.waiting)
	}
	r.lastStream().rxFrame = nil // the caller's stream: silence
	played := joinFrames(r.ticks(waitOnFrames))
	if lvl := audio.ToneLevel(played, audio.SampleRate, waitHz); lvl < 0.02 || lvl > 0.1 {
		t.Errorf("call-waiting tone level %.3f, want a soft beep (about 0.04)", lvl)
	}
	if lvl := ringLevel([][]int16{played}); lvl > 0.01 {
		t.Errorf("the ring tone (level %.3f) sounds during a call", lvl)
	}

	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: waiting.CallID})
	waitDid(t, bob, "hold")
	if r.selected() != 2 {
		t.Errorf("selected line %d after answering, want 2", r.selected())
	}
	if pl := r.p.pump.plan.Load(); pl.ring || pl.waiting {
		t.Error("a tone still sounds after the answer")
	}
}

// Without auto-hold, turning to another line holds nothing: the call left gets
// silence and is not heard, never the other conversation.
func TestNoAutoHoldLeavesTheOtherLineSilent(t *testing.T) {
	r := newRig(t, nil)
	bob, _ := activeOutgoing(t, r)
	s1 := r.lastStream()
	s1.rxFrame = constFrame(1000)
	_, waiting := r.incoming("in-2")
	r.lastStream().rxFrame = constFrame(2000)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: waiting.CallID})
	r.ticks(3)
	if got := bob.did(); len(got) != 0 {
		t.Errorf("line 1 was sent %v without auto-hold", got)
	}
	if audio.RMS(s1.lastWritten()) != 0 {
		t.Error("line 1, not selected, got the microphone")
	}
	if spk := r.lastSunk(); spk[0] != 2000 {
		t.Errorf("speaker got %d, want line 2 only (2000)", spk[0])
	}
}

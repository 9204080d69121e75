package phone

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// incoming delivers an incoming call and returns its ringing state.
func (r *rig) incoming(id string) (*fakeDialog, api.CallState) {
	r.t.Helper()
	d := &fakeDialog{id: id}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu)})
	})
	r.expectStates(api.CallIncoming)
	return d, r.expectStates(api.CallRinging)
}

// ticks runs n frames and returns what the speaker got during them.
func (r *rig) ticks(n int) [][]int16 {
	r.audio.mu.Lock()
	before := len(r.audio.sunk)
	r.audio.mu.Unlock()
	for range n {
		r.tick <- time.Time{}
	}
	r.tick <- time.Time{} // the n-th step is done once the pump takes one more
	r.audio.mu.Lock()
	defer r.audio.mu.Unlock()
	return slices.Clone(r.audio.sunk[before:])
}

func ringLevel(frames [][]int16) float64 {
	pcm := joinFrames(frames)
	return min(audio.ToneLevel(pcm, audio.SampleRate, ringLowHz), audio.ToneLevel(pcm, audio.SampleRate, ringHighHz))
}

// An incoming call rings on the speaker; call.ignore silences it, says so in
// call.state and sends nothing to the caller; the call can still be answered.
func TestIgnoreSilencesTheRinger(t *testing.T) {
	r := newRig(t, nil)
	d, cs := r.incoming("sip-in-1")
	if cs.Ignored {
		t.Fatalf("a new call is ignored: %+v", cs)
	}
	if lvl := ringLevel(r.ticks(10)); lvl < 0.2 {
		t.Fatalf("ringing call: ring tone level %.3f on the speaker, want about 0.25", lvl)
	}

	r.mustDo(api.CmdCallIgnore.Name, &api.CallRef{CallID: cs.CallID})
	ev := r.nextCallState()
	if !ev.Ignored || ev.State != api.CallRinging {
		t.Errorf("call.state after ignore %+v, want ringing and ignored", ev)
	}
	played := r.ticks(10)
	if len(played) > 1 { // at most the frame in flight when the command ran
		t.Errorf("the speaker got %d frames after ignore; it should be silent", len(played))
	}
	if got := d.did(); !slices.Equal(got, []string{"ring"}) {
		t.Errorf("the caller was sent %v after ignore, want only the first 180", got)
	}
	if st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(st.Lines) != 1 || !st.Lines[0].Ignored {
		t.Errorf("snapshot lines %+v, want the ignored call", st.Lines)
	}

	r.mustDo(api.CmdCallIgnore.Name, &api.CallRef{CallID: cs.CallID}) // again: no change, no event
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	if ev := r.nextCallState(); ev.State != api.CallActive {
		t.Errorf("after answering the ignored call: %+v", ev)
	}
}

// The ringer sounds while any call rings that was not ignored, and stops when the
// last one is ignored, answered or cancelled.
func TestRingerFollowsTheRingingCalls(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.MaxLines = 3 })
	ringing := func() bool { r.sync(); return r.p.pump.plan.Load().ring }
	if ringing() {
		t.Fatal("rings with no call")
	}
	_, first := r.incoming("in-1")
	d2, _ := r.incoming("in-2")
	r.mustDo(api.CmdCallIgnore.Name, &api.CallRef{CallID: first.CallID})
	r.expectStates(api.CallRinging) // first, now ignored
	if !ringing() {
		t.Error("the second call no longer rings after the first was ignored")
	}
	r.sipEvent(d2.id, inRemoteCancel, 0, nil)
	r.expectStates(api.CallEnded)
	if ringing() {
		t.Error("still ringing after the only call not ignored was cancelled")
	}
	_, third := r.incoming("in-3")
	if !ringing() {
		t.Error("a new call does not ring")
	}
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: third.CallID})
	if ringing() {
		t.Error("still ringing after the call was answered")
	}
}

func TestIgnoreInvalidState(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *rig) api.CallRef
		code  string
	}{
		{"no call", func(*rig) api.CallRef { return api.CallRef{} }, api.CodeNotFound},
		{"outgoing call", func(r *rig) api.CallRef {
			res := r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"}).(api.DialResult)
			return api.CallRef{CallID: res.CallID}
		}, api.CodeInvalidState},
		{"answered call", func(r *rig) api.CallRef {
			_, cs := r.incoming("in-1")
			r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
			return api.CallRef{Line: cs.Line}
		}, api.CodeInvalidState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			_, err := r.do(api.CmdCallIgnore.Name, ptr(tt.setup(r)))
			if got := apiCode(err); got != tt.code {
				t.Errorf("ignore: %v (code %q), want %q", err, got, tt.code)
			}
		})
	}
}

// ringerAudio is an AudioIO with a separate ringer output.
type ringerAudio struct {
	*fakeAudio
	mu   sync.Mutex
	rang [][]int16
}

func (a *ringerAudio) Ringer() audio.Sink { return a }
func (a *ringerAudio) WriteFrame(pcm []int16) error {
	a.mu.Lock()
	a.rang = append(a.rang, slices.Clone(pcm))
	a.mu.Unlock()
	return nil
}

// With a RingerOutput the ring tone goes there at the ringer volume and the speaker
// stays silent.
func TestRingerOutput(t *testing.T) {
	io := &ringerAudio{fakeAudio: &fakeAudio{src: audio.Silence{}}}
	r := newPumpRig(t, audio.Silence{})
	r.p = newPump(io, r.p.log, r.p.emit)
	r.audio = io.fakeAudio
	r.plan(func(pl *mixPlan) { pl.ring, pl.vol.ringer = true, 25 })
	r.steps(10)
	if n := len(io.sunk); n != 0 {
		t.Errorf("the speaker got %d frames; the ring belongs on the ringer", n)
	}
	io.mu.Lock()
	defer io.mu.Unlock()
	if len(io.rang) != 10 {
		t.Fatalf("the ringer got %d frames, want 10", len(io.rang))
	}
	if lvl := ringLevel(io.rang); lvl < 0.1 || lvl > 0.15 {
		t.Errorf("ring tone level %.3f at volume 25, want 0.125 (a quarter scale halved)", lvl)
	}
}

// The cadence is two seconds of tone, four of silence, and starts over with each ring.
func TestRingCadence(t *testing.T) {
	r := newPumpRig(t, audio.Silence{})
	r.plan(func(pl *mixPlan) { pl.ring = true })
	r.steps(ringCycleFrames + 10)
	frames := r.audio.sunk
	for i, f := range frames {
		on := i%ringCycleFrames < ringOnFrames
		if loud := audio.RMS(f) > 1000; loud != on {
			t.Fatalf("frame %d: tone %v, want %v", i, loud, on)
		}
	}
	r.plan(func(pl *mixPlan) { pl.ring = false })
	r.steps(1)
	r.plan(func(pl *mixPlan) { pl.ring = true })
	r.steps(1)
	if last := r.audio.sunk[len(r.audio.sunk)-1]; audio.RMS(last) < 1000 {
		t.Error("a new ring does not start with the tone")
	}
}

package phone

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// The actor never waits on the network: while a call's name lookup or STUN
// exchange is pending, other commands are answered, and a hang-up or a CANCEL
// meanwhile ends the call before anything is sent for it.

// gate is a slow network step of a test: started says it began, and it ends when
// the test opens it (closes release).
type gate struct {
	started chan struct{}
	release chan struct{}
	open    func()
}

// newGate returns a closed gate. The rigs that use it open it at the latest when
// the test ends, before they stop, so that an actor stuck on it fails the test
// rather than hangs it.
func newGate() gate {
	release := make(chan struct{})
	return gate{started: make(chan struct{}, 1), release: release, open: sync.OnceFunc(func() { close(release) })}
}

// slowLookup makes the rig's name lookups wait for g.
func slowLookup(r *rig, g gate) {
	r.t.Cleanup(g.open)
	r.sip.mu.Lock()
	r.sip.onLookup = func() {
		select {
		case g.started <- struct{}{}:
		default:
		}
		<-g.release
	}
	r.sip.mu.Unlock()
}

// slowSTUNRig is a rig whose streams learn their public address when g is
// released.
func slowSTUNRig(t *testing.T, g gate) *rig {
	var r *rig
	r = newRig(t, func(c *Config) {
		c.Media = func(localIP string) (Stream, error) {
			r.smu.Lock()
			defer r.smu.Unlock()
			s := &fakeStream{port: 40000 + 2*len(r.stream), localIP: localIP, public: publicMedia, ready: g.release}
			r.stream = append(r.stream, s)
			select {
			case g.started <- struct{}{}:
			default:
			}
			return s, nil
		}
	})
	t.Cleanup(g.open)
	return r
}

// dialAsync runs call.dial on a goroutine of its own; its outcome comes on the
// returned channel.
func dialAsync(r *rig, to string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := r.do(api.CmdCallDial.Name, &api.DialArgs{To: to})
		done <- err
	}()
	return done
}

func (f *fakeSIP) dialCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.dialed)
}

// noCallState fails if the rig reported a call.state.
func noCallState(t *testing.T, r *rig) {
	t.Helper()
	for {
		select {
		case ev := <-r.events:
			if ev.Event == api.EvCallState {
				t.Fatalf("call.state %+v for a call that ended while preparing", ev.Data)
			}
		default:
			return
		}
	}
}

func TestDialHungUpWhilePreparing(t *testing.T) {
	for slow, hangup := range map[string]api.HangupArgs{
		"name lookup": {All: true},
		"STUN":        {}, // the only call, as a hang-up button right after dialling sends it
	} {
		t.Run(slow, func(t *testing.T) {
			g := newGate()
			var r *rig
			if slow == "STUN" {
				r = slowSTUNRig(t, g)
			} else {
				r = newRig(t, nil)
				slowLookup(r, g)
			}
			dialed := dialAsync(r, "bob")
			<-g.started

			// The actor answers meanwhile; the preparing call is not shown.
			snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot)
			if len(snap.Lines) != 0 {
				t.Fatalf("snapshot shows %+v while the call prepares", snap.Lines)
			}
			// The hang-up wins: the call ends, no INVITE goes out, the dial fails.
			if res := r.mustDo(api.CmdCallHangup.Name, &hangup).(api.HangupResult); res.Ended != 1 {
				t.Fatalf("hang-up ended %d calls, want the preparing one", res.Ended)
			}
			g.open()
			if err := <-dialed; !errors.Is(err, ErrCallState) {
				t.Fatalf("dial after its hang-up: %v, want ErrCallState", err)
			}
			r.sync()
			if n := r.sip.dialCount(); n != 0 {
				t.Errorf("%d INVITEs sent for a call hung up before it", n)
			}
			if slow == "STUN" && !r.lastStream().closed {
				t.Error("the RTP of a call hung up while preparing stays open")
			}
			noCallState(t, r)
			// The line is free again.
			r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "carol"})
			if d := r.sip.lastDial(t); d.target != "sip:carol@127.0.0.1:5060" {
				t.Errorf("dialed %s", d.target)
			}
		})
	}
}

func TestDialSendsItsInviteOnceReady(t *testing.T) {
	g := newGate()
	r := slowSTUNRig(t, g)
	dialed := dialAsync(r, "bob")
	<-g.started
	r.sync()
	if n := r.sip.dialCount(); n != 0 {
		t.Fatalf("INVITE sent before the RTP socket knew its public address")
	}
	g.open()
	if err := <-dialed; err != nil {
		t.Fatal(err)
	}
	r.expectStates(api.CallDialing)
	if got := sdpAddr(t, r.sip.lastDial(t).offer); got != publicMedia {
		t.Errorf("offer's media at %v, want the public %v", got, publicMedia)
	}
}

func TestIncomingCancelledWhilePreparing(t *testing.T) {
	g := newGate()
	r := slowSTUNRig(t, g)
	d := &fakeDialog{id: "sip-in"}
	r.p.post(func() { r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: peerSDP(31000, pcmu)}) })
	<-g.started
	// Answered while the STUN exchange is pending; the call cannot be answered yet.
	if _, err := r.do(api.CmdCallAnswer.Name, &api.CallRef{Line: 1}); !errors.Is(err, ErrCallState) {
		t.Fatalf("answering a call still preparing: %v, want ErrCallState", err)
	}
	r.sipEvent(d.id, inRemoteCancel, 0, nil)
	g.open()
	r.sync()
	if got := d.did(); len(got) != 0 {
		t.Errorf("a call cancelled while preparing got %v, want nothing", got)
	}
	if !r.lastStream().closed {
		t.Error("the RTP of a call cancelled while preparing stays open")
	}
	noCallState(t, r)
}

func TestIncomingRingsOnceReady(t *testing.T) {
	g := newGate()
	r := slowSTUNRig(t, g)
	d := &fakeDialog{id: "sip-in"}
	r.p.post(func() { r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: peerSDP(31000, pcmu)}) })
	<-g.started
	r.sync()
	if got := d.did(); len(got) != 0 {
		t.Fatalf("rang before the RTP socket knew its public address: %v", got)
	}
	g.open()
	cs := r.expectStates(api.CallIncoming, api.CallRinging)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	if got := d.did(); !slices.Equal(got, []string{"ring", "answer"}) {
		t.Errorf("dialog actions %v", got)
	}
	if got := sdpAddr(t, d.answer); got != publicMedia {
		t.Errorf("answer's media at %v, want the public %v", got, publicMedia)
	}
}

package phone

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wpservice/wpservice/internal/api"
)

// peerCalls counts the calls into a stuck peer that have not returned yet.
type peerCalls struct{ n atomic.Int32 }

// wait blocks until ctx ends, counted.
func (c *peerCalls) wait(ctx context.Context) error {
	c.n.Add(1)
	defer c.n.Add(-1)
	<-ctx.Done()
	return ctx.Err()
}

// slowSIP is a registrar that never answers the unregistration: Unregister says it
// started, then waits for its context.
type slowSIP struct {
	*fakeSIP
	unregistering chan struct{} // gets a value when Unregister starts
	running       peerCalls
}

func (s *slowSIP) Unregister(ctx context.Context) error {
	s.fakeSIP.Unregister(ctx)
	s.unregistering <- struct{}{}
	return s.running.wait(ctx)
}

// withSlowSIP makes the rig's registrar a slowSIP.
func withSlowSIP(s **slowSIP) func(*Config) {
	return func(c *Config) {
		*s = &slowSIP{fakeSIP: c.SIP.(*fakeSIP), unregistering: make(chan struct{}, 10)}
		c.SIP = *s
	}
}

// stuckDialog is a peer that answers neither our BYE nor our re-INVITE: Hangup and
// Hold wait for their context.
type stuckDialog struct {
	*fakeDialog
	running *peerCalls
}

func (d stuckDialog) Hangup(ctx context.Context) error {
	d.record("hangup")
	return d.running.wait(ctx)
}

func (d stuckDialog) Hold(ctx context.Context, hold bool) ([]byte, error) {
	d.record("hold")
	return nil, d.running.wait(ctx)
}

// neverAnswerHold makes the peer keep our re-INVITEs unanswered.
func (d *fakeDialog) neverAnswerHold() {
	d.mu.Lock()
	d.holdGate = make(chan struct{})
	d.mu.Unlock()
}

// registered makes the rig's account registered, as the stack would report it.
func (r *rig) registered() {
	r.p.post(func() { r.p.onRegState(api.RegState{State: api.RegRegistered, Code: 200, Expires: 300}) })
	r.sync()
}

// answeredIncoming delivers an incoming call on dialog d and answers it.
func (r *rig) answeredIncoming(d Dialog) api.CallState {
	r.t.Helper()
	r.p.post(func() { r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: peerSDP(31000, pcmu)}) })
	cs := r.expectStates(api.CallIncoming, api.CallRinging)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	return r.expectStates(api.CallActive)
}

// stopWithin stops the rig's engine and fails when Run takes longer than limit.
func (r *rig) stopWithin(limit time.Duration) {
	r.t.Helper()
	stopped := make(chan struct{})
	start := time.Now()
	go func() { r.stop(); close(stopped) }()
	select {
	case <-stopped:
		r.t.Logf("the engine stopped in %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(limit):
		r.t.Fatalf("the engine did not stop within %v", limit)
	}
}

// Stopping an engine in the middle of everything it does (calls whose peers never
// answer the BYE, a re-INVITE in flight, dial-string digits waiting, an
// unregistration that never ends, several watchers) ends within about two seconds
// and leaves no goroutine behind.
func TestStopLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var sip *slowSIP
	r := newRig(t, func(c *Config) {
		withSlowSIP(&sip)(c)
		c.Settings.MaxLines = 4
		c.Settings.DTMFDelay = time.Hour
	})
	for range 2 {
		_, cancel := r.p.Watch(func(api.Event) {})
		defer cancel()
	}
	r.registered()

	stuck := stuckDialog{&fakeDialog{id: "stuck"}, &peerCalls{}}
	cs := r.answeredIncoming(stuck)
	holding := make(chan error, 1)
	go func() {
		_, err := r.do(api.CmdCallHold.Name, &api.HoldArgs{CallRef: api.CallRef{CallID: cs.CallID}, Hold: true})
		holding <- err
	}()
	waitFor(t, func() bool { return slices.Contains(stuck.did(), "hold") })
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "dave,123"}) // the digits wait an hour
	r.sipEvent(r.sip.lastDial(t).id, inAnswered, 200, peerSDP(30000, pcmu))
	r.mustDo(api.CmdUnregister.Name, nil)
	<-sip.unregistering

	r.stopWithin(3 * time.Second) // the goodbyes take 1.5 s; the rest is slack for a loaded machine
	if n := stuck.running.n.Load() + sip.running.n.Load(); n != 0 {
		t.Errorf("calls into the peers still running after Run returned: %d", n)
	}
	select {
	case err := <-holding:
		if err == nil {
			t.Error("the hold in flight succeeded although the engine stopped")
		}
	case <-time.After(time.Second):
		t.Fatal("the hold command in flight was never answered")
	}
}

// A client that connects while the engine says goodbye gets its hello at once,
// commands are refused at once rather than left waiting, and the engine still stops
// within two seconds.
func TestWatchDuringShutdown(t *testing.T) {
	var sip *slowSIP
	r := newRig(t, withSlowSIP(&sip))
	r.registered()
	cs := r.answeredIncoming(&fakeDialog{id: "sip-in-1"})

	stopped := make(chan struct{})
	go func() { r.stop(); close(stopped) }()
	start := time.Now()
	<-sip.unregistering // the calls are ended: the engine is in its goodbyes

	watched := make(chan api.Event, 1)
	go func() {
		hello, cancel := r.p.Watch(func(api.Event) {})
		cancel()
		watched <- hello
	}()
	select {
	case hello := <-watched:
		snap := hello.Data.(api.Hello).Snapshot
		if len(snap.Lines) != 0 || snap.Registration.State != api.RegRegistered {
			t.Errorf("hello during shutdown: lines %+v, registration %+v; want no call, still registered", snap.Lines, snap.Registration)
		}
	case <-time.After(500 * time.Millisecond):
		t.Fatal("Watch during shutdown did not return")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := r.p.do(ctx, api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID}); apiCode(err) != api.CodeUnavailable {
		t.Errorf("a command during shutdown: %v, want unavailable at once", err)
	}
	select {
	case <-stopped:
		t.Logf("the engine stopped in %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(2 * time.Second):
		t.Fatal("the engine did not stop within 2 s")
	}
	for range 20 { // a request may still find room in the stopped actor's inbox
		answered := make(chan error, 1)
		go func() {
			hello, cancel := r.p.Watch(func(api.Event) {})
			cancel()
			_, err := r.p.do(context.Background(), api.CmdStatus.Name, nil)
			if hello.Event != api.EvHello || err == nil {
				t.Errorf("after the stop: Watch %+v and Do %v, want a hello and an error", hello, err)
			}
			answered <- err
		}()
		select {
		case <-answered:
		case <-time.After(500 * time.Millisecond):
			t.Fatal("Watch or Do after the stop did not return")
		}
	}
}

// call.hold goes through the actor: when the call ends while its re-INVITE is in
// flight, the re-INVITE is cancelled and the command answers at once.
func TestHoldInFlightEndsWithTheCall(t *testing.T) {
	r := newRig(t, nil)
	d, cs := activeOutgoing(t, r)
	d.neverAnswerHold()
	holding := make(chan error, 1)
	go func() {
		_, err := r.p.do(context.Background(), api.CmdCallHold.Name, &api.HoldArgs{Hold: true})
		holding <- err
	}()
	waitFor(t, func() bool { return slices.Contains(d.did(), "hold") })
	r.sipEvent(d.id, inRemoteBye, 0, nil)
	select {
	case err := <-holding:
		if apiCode(err) != api.CodeInvalidState {
			t.Errorf("hold of a call that ended: %v, want invalid_state", err)
		}
	case <-time.After(time.Second):
		t.Fatal("the hold command still waits after its call ended")
	}
	if ended := r.expectStates(api.CallEnded); ended.CallID != cs.CallID || ended.Held {
		t.Errorf("ended %+v", ended)
	}
}

// slowByeDialog is a peer that takes a while to answer our BYE; it tells how Hangup
// ended.
type slowByeDialog struct {
	*fakeDialog
	delay  time.Duration
	result chan error
}

func (d slowByeDialog) Hangup(ctx context.Context) error {
	select {
	case <-time.After(d.delay):
		d.result <- nil
		return nil
	case <-ctx.Done():
		d.result <- ctx.Err()
		return ctx.Err()
	}
}

// A BYE sent just before the engine stops is still waited for (within the goodbye's
// grace), not cut off by the stop.
func TestStopWaitsForAByeInFlight(t *testing.T) {
	r := newRig(t, nil)
	d := slowByeDialog{&fakeDialog{id: "slow-bye"}, 300 * time.Millisecond, make(chan error, 1)}
	cs := r.answeredIncoming(d)
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{CallRef: api.CallRef{CallID: cs.CallID}})
	r.expectStates(api.CallEnded)
	r.stopWithin(time.Second)
	if err := <-d.result; err != nil {
		t.Errorf("the BYE in flight when the engine stopped ended with %v, want its answer", err)
	}
}

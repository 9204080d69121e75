package phone

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/wpservice/wpservice/internal/api"
)

// fakeNet is the network watcher: the test sends a change, which the engine takes as
// soon as it is sent (unbuffered).
type fakeNet chan struct{}

func (n fakeNet) Changes() <-chan struct{} { return n }

// MoveMedia records the move and answers as the dialog's moveErr says, with the
// peer's SDP at port 32000.
func (d *fakeDialog) MoveMedia(_ context.Context, ip string, media netip.AddrPort) ([]byte, error) {
	d.record(fmt.Sprintf("move %s", media))
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.moveErr != nil {
		return nil, d.moveErr
	}
	return peerSDP(32000, pcmu), nil
}

// netRig is a rig with a network watcher the test drives.
func netRig(t *testing.T) (*rig, fakeNet) {
	net := make(fakeNet)
	r := newRig(t, func(c *Config) { c.NetWatch = net })
	r.sip.localIPs = map[string]string{}
	return r, net
}

// moveTo makes the fake stack route target from ip from now on.
func (r *rig) moveTo(target, ip string) {
	r.sip.mu.Lock()
	r.sip.localIPs[target] = ip
	r.sip.mu.Unlock()
}

func (f *fakeSIP) registered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.registers
}

// A registration starts over when the address toward the server changed, and only then.
func TestRegistrationFollowsTheNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, net := netRig(t)
		r.mustDo(api.CmdRegister.Name, nil)
		r.p.post(func() { r.p.onRegState(api.RegState{State: api.RegRegistered}) })
		synctest.Wait()
		net <- struct{}{} // the address toward the server is the same
		synctest.Wait()
		if n := r.sip.registered(); n != 1 {
			t.Fatalf("%d REGISTER starts after a change that moved nothing, want 1", n)
		}
		r.moveTo("sip:127.0.0.1:5060", "10.0.0.3")
		net <- struct{}{}
		synctest.Wait()
		if n := r.sip.registered(); n != 2 {
			t.Fatalf("%d REGISTER starts after the address toward the server changed, want 2", n)
		}
		net <- struct{}{} // and now it stays
		synctest.Wait()
		if n := r.sip.registered(); n != 2 {
			t.Errorf("%d REGISTER starts after a change that moved nothing, want 2", n)
		}
	})
}

// The lookups a network change needs run off the actor: while the name lookup of
// the server hangs, commands are answered; when it answers, the registration
// starts over from the new address.
func TestNetworkChangeLooksUpOffTheActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, net := netRig(t)
		r.mustDo(api.CmdRegister.Name, nil)
		r.p.post(func() { r.p.onRegState(api.RegState{State: api.RegRegistered}) })
		synctest.Wait()
		g := newGate()
		slowLookup(r, g)
		r.moveTo("sip:127.0.0.1:5060", "10.0.0.3")
		net <- struct{}{}
		<-g.started
		r.sync()          // answered while the lookup hangs
		net <- struct{}{} // a second change meanwhile is taken, not queued behind the lookup
		r.sync()
		if n := r.sip.registered(); n != 1 {
			t.Fatalf("%d REGISTER starts before the lookup answered, want 1", n)
		}
		g.open()
		synctest.Wait()
		if n := r.sip.registered(); n != 2 {
			t.Errorf("%d REGISTER starts after the lookup answered a new address, want 2", n)
		}
	})
}

// An active call whose address changed gets a new RTP socket on the new address and
// a re-INVITE offering it; the call goes on with the new stream aimed at the peer's
// answer, and the old stream is closed.
func TestCallFollowsTheNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, net := netRig(t)
		d, cs := activeOutgoing(t, r)
		old := r.lastStream()
		r.moveTo(d.target, "10.0.0.3")
		net <- struct{}{}
		synctest.Wait()
		moved := r.lastStream()
		if moved == old || moved.localIP != "10.0.0.3" {
			t.Fatalf("no new RTP socket on 10.0.0.3 (last opened on %s)", moved.localIP)
		}
		if got, want := d.did(), fmt.Sprintf("move 10.0.0.3:%d", moved.port); len(got) == 0 || got[len(got)-1] != want {
			t.Fatalf("the dialog did %v, want a %q last", got, want)
		}
		params := moved.started()
		if len(params) != 1 || params[0].Remote.Port != 32000 {
			t.Errorf("the new stream started with %+v, want it aimed at the answer's port 32000", params)
		}
		old.mu.Lock()
		oldClosed := old.closed
		old.mu.Unlock()
		if !oldClosed {
			t.Error("the old stream is still open")
		}
		if st := r.p.lines.find(d.id); st == nil || st.state != stActive || st.stream != moved {
			t.Errorf("call %s is not active on the new stream", cs.CallID)
		}
	})
}

// A call whose peer refuses the move ends with cause network_changed, and the new
// stream is closed with it.
func TestCallThatCannotFollowEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, net := netRig(t)
		d, _ := activeOutgoing(t, r)
		d.mu.Lock()
		d.moveErr = errors.New("488 Not Acceptable Here")
		d.mu.Unlock()
		r.moveTo(d.target, "10.0.0.3")
		net <- struct{}{}
		cs := r.expectStates(api.CallEnded)
		if cs.Cause == nil || cs.Cause.Kind != api.CauseNetworkChanged {
			t.Errorf("cause %+v, want %s", cs.Cause, api.CauseNetworkChanged)
		}
		synctest.Wait()
		for i, s := range r.stream {
			s.mu.Lock()
			if !s.closed {
				t.Errorf("stream %d (on %s) is still open", i, s.localIP)
			}
			s.mu.Unlock()
		}
	})
}

// Behind a NAT, the re-INVITE that moves a call offers the public address STUN
// learned for the new RTP socket, not its local one: the peer's RTP must reach the
// router.
func TestMovedCallOffersItsPublicAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := make(fakeNet)
		var r *rig
		r = newRig(t, func(c *Config) {
			c.NetWatch = net
			c.Media = func(localIP string) (Stream, error) {
				r.smu.Lock()
				defer r.smu.Unlock()
				n := len(r.stream)
				public := netip.AddrPortFrom(publicMedia.Addr(), publicMedia.Port()+uint16(2*n))
				s := &fakeStream{port: 40000 + 2*n, localIP: localIP, public: public}
				r.stream = append(r.stream, s)
				return s, nil
			}
		})
		r.sip.localIPs = map[string]string{}
		d, _ := activeOutgoing(t, r)
		r.moveTo(d.target, "10.0.0.3")
		net <- struct{}{}
		synctest.Wait()
		moved := r.lastStream()
		if got, want := d.did(), "move "+moved.public.String(); len(got) == 0 || got[len(got)-1] != want {
			t.Fatalf("the dialog did %v, want a %q last", got, want)
		}
	})
}

// With EndCallsOnNetworkChange a call whose address changed is not moved: it ends
// at once with a BYE and cause network_changed, and the registration still follows.
func TestCallEndsOnNetworkChangeWhenConfigured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := make(fakeNet)
		r := newRig(t, func(c *Config) { c.NetWatch, c.EndCallsOnNetworkChange = net, true })
		r.sip.localIPs = map[string]string{}
		r.mustDo(api.CmdRegister.Name, nil)
		r.p.post(func() { r.p.onRegState(api.RegState{State: api.RegRegistered}) })
		d, _ := activeOutgoing(t, r)
		r.moveTo(d.target, "10.0.0.3")
		r.moveTo("sip:127.0.0.1:5060", "10.0.0.3")
		net <- struct{}{}
		cs := r.expectStates(api.CallEnded)
		if cs.Cause == nil || cs.Cause.Kind != api.CauseNetworkChanged {
			t.Errorf("cause %+v, want %s", cs.Cause, api.CauseNetworkChanged)
		}
		synctest.Wait()
		if got := d.did(); !slices.Equal(got, []string{"hangup"}) {
			t.Errorf("the dialog did %v, want a BYE and no move", got)
		}
		if n := len(r.stream); n != 1 {
			t.Errorf("%d RTP sockets opened, want none for a move", n)
		}
		if n := r.sip.registered(); n != 2 {
			t.Errorf("%d REGISTER starts, want the one after the change too", n)
		}
	})
}

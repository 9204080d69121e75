package phone

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/wpservice/wpservice/internal/api"
)

// ringingOutgoing dials bob and brings the call to want (ringing or early) with the
// provisional response in, its early media at port 30000.
func ringingOutgoing(t *testing.T, r *rig, want string) *fakeDialog {
	t.Helper()
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	if want == api.CallEarly {
		r.sipEvent(d.id, inEarlyMedia, 183, peerSDP(30000, pcmu))
	} else {
		r.sipEvent(d.id, inRinging, 180, nil)
	}
	r.expectStates(want)
	return d
}

// moves is what the dialog did to move the call: its MoveMedia calls.
func moves(d *fakeDialog) []string {
	return slices.DeleteFunc(d.did(), func(a string) bool { return !strings.HasPrefix(a, "move ") })
}

// streamClosed reports whether s was closed.
func streamClosed(s *fakeStream) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// A call of ours with early media whose address changed is moved while it rings: a
// new RTP socket on the new address and the dialog's MoveMedia (an UPDATE in the
// early dialog), the early media going on from the new stream toward the answer's
// port; its later answer keeps the new stream, with no second move.
func TestEarlyCallFollowsTheNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, net := netRig(t)
		d := ringingOutgoing(t, r, api.CallEarly)
		old := r.lastStream()
		r.moveTo(d.target, "10.0.0.3")
		net <- struct{}{}
		synctest.Wait()
		moved := r.lastStream()
		if moved == old || moved.localIP != "10.0.0.3" {
			t.Fatalf("no new RTP socket on 10.0.0.3 (last opened on %s)", moved.localIP)
		}
		if got, want := moves(d), []string{fmt.Sprintf("move 10.0.0.3:%d", moved.port)}; !slices.Equal(got, want) {
			t.Fatalf("the dialog moved %v, want %v", got, want)
		}
		params := moved.started()
		if len(params) != 1 || params[0].Remote.Port != 32000 {
			t.Errorf("the new stream started with %+v, want it aimed at the answer's port 32000", params)
		}
		if !streamClosed(old) {
			t.Error("the old stream is still open")
		}
		if c := r.p.lines.find(d.id); c == nil || c.state != stEarly || c.stream != moved {
			t.Fatal("the call is not early on the new stream")
		}

		r.sipEvent(d.id, inAnswered, 200, peerSDP(32000, pcmu))
		r.expectStates(api.CallActive)
		synctest.Wait()
		if c := r.p.lines.find(d.id); c == nil || c.stream != moved || len(moves(d)) != 1 {
			t.Errorf("after the answer: moves %v, want the one early move and the call on its stream", moves(d))
		}
	})
}

// A call of ours that rings without early media cannot carry a new offer before
// its answer: nothing moves while it rings, and once answered it is moved as an
// active call is (a re-INVITE from a new RTP socket on the new address).
func TestRingingCallMovesOnceAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, net := netRig(t)
		d := ringingOutgoing(t, r, api.CallRinging)
		opened := len(r.stream)
		r.moveTo(d.target, "10.0.0.3")
		net <- struct{}{}
		synctest.Wait()
		if got := moves(d); len(got) != 0 || len(r.stream) != opened {
			t.Fatalf("a ringing call without media moved %v, %d new streams", got, len(r.stream)-opened)
		}
		r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
		r.expectStates(api.CallActive)
		synctest.Wait()
		moved := r.lastStream()
		if got, want := moves(d), []string{fmt.Sprintf("move 10.0.0.3:%d", moved.port)}; !slices.Equal(got, want) || moved.localIP != "10.0.0.3" {
			t.Fatalf("once answered the dialog moved %v from %s, want %v", got, moved.localIP, want)
		}
		if c := r.p.lines.find(d.id); c == nil || c.state != stActive || c.stream != moved {
			t.Error("the answered call is not active on the new stream")
		}
	})
}

// An early move the dialog refuses (an unreliable 183, a peer that does not allow
// UPDATE, or an UPDATE refused) leaves the call ringing, closes the new stream and
// moves the call once answered.
func TestEarlyCallThatCannotMoveMovesOnceAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, net := netRig(t)
		d := ringingOutgoing(t, r, api.CallEarly)
		d.mu.Lock()
		d.moveErr = errors.New("no early dialog that allows UPDATE")
		d.mu.Unlock()
		r.moveTo(d.target, "10.0.0.3")
		net <- struct{}{}
		synctest.Wait()
		refused := r.lastStream()
		if len(moves(d)) != 1 || !streamClosed(refused) {
			t.Fatalf("moves %v, new stream closed %v: want one refused move and its stream closed", moves(d), streamClosed(refused))
		}
		if c := r.p.lines.find(d.id); c == nil || c.state != stEarly {
			t.Fatal("the call did not stay early")
		}
		d.mu.Lock()
		d.moveErr = nil
		d.mu.Unlock()
		r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
		r.expectStates(api.CallActive)
		synctest.Wait()
		moved := r.lastStream()
		if len(moves(d)) != 2 || moved == refused || moved.localIP != "10.0.0.3" {
			t.Fatalf("once answered: moves %v, last stream on %s; want a second move to 10.0.0.3", moves(d), moved.localIP)
		}
		if c := r.p.lines.find(d.id); c == nil || c.state != stActive || c.stream != moved {
			t.Error("the answered call is not active on the new stream")
		}
	})
}

// With sip.onNetworkChange "end" a call of ours still ringing whose address
// changed is not moved, not even with early media: it is cancelled at once (the
// dialog's hangup, a CANCEL) and ends with cause network_changed.
func TestRingingCallIsCancelledWhenConfigured(t *testing.T) {
	for _, state := range []string{api.CallRinging, api.CallEarly} {
		t.Run(state, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				net := make(fakeNet)
				r := newRig(t, func(c *Config) { c.NetWatch, c.EndCallsOnNetworkChange = net, true })
				r.sip.localIPs = map[string]string{}
				d := ringingOutgoing(t, r, state)
				r.moveTo(d.target, "10.0.0.3")
				net <- struct{}{}
				cs := r.expectStates(api.CallEnded)
				if cs.Cause == nil || cs.Cause.Kind != api.CauseNetworkChanged {
					t.Errorf("cause %+v, want %s", cs.Cause, api.CauseNetworkChanged)
				}
				synctest.Wait()
				if got := d.did(); !slices.Contains(got, "hangup") || len(moves(d)) != 0 {
					t.Errorf("the dialog did %v, want a hangup and no move", got)
				}
			})
		})
	}
}

// With sip.onNetworkChange "end" a call ringing here whose address changed is
// refused at once with 480 and ends with cause network_changed: our answer would
// offer media on an address that is gone.
func TestIncomingRingingCallIsRefusedWhenConfigured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := make(fakeNet)
		r := newRig(t, func(c *Config) { c.NetWatch, c.EndCallsOnNetworkChange = net, true })
		r.sip.localIPs = map[string]string{}
		d, _ := r.incoming("in-1")
		r.moveTo("sip:127.0.0.1", "10.0.0.3")
		net <- struct{}{}
		cs := r.expectStates(api.CallEnded)
		if cs.Cause == nil || cs.Cause.Kind != api.CauseNetworkChanged {
			t.Errorf("cause %+v, want %s", cs.Cause, api.CauseNetworkChanged)
		}
		synctest.Wait()
		if got := d.did(); !slices.Contains(got, "reject 480") {
			t.Errorf("the dialog did %v, want reject 480", got)
		}
	})
}

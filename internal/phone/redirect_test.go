package phone

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// A call redirected to a target another local address routes to: the stack asks
// (Dial's reoffer) for an offer from that address, and gets one naming a new RTP
// socket opened there; the call's old socket is closed, and the answer of the new
// target starts the new one.
func TestRedirectFromAnotherAddressOffersNewMedia(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	old := r.lastStream()
	if d.reoffer == nil {
		t.Fatal("Dial got no reoffer")
	}
	body := d.reoffer("10.9.0.2") // the stack's goroutine, off the actor
	moved := r.lastStream()
	if moved == old || moved.localIP != "10.9.0.2" {
		t.Fatalf("no new RTP socket on 10.9.0.2 (last on %s)", moved.localIP)
	}
	md, err := sipstack.ParseSDP(body)
	if err != nil || md.IP != "10.9.0.2" || md.Port != moved.port {
		t.Fatalf("the offer %+v (%v), want 10.9.0.2:%d:\n%s", md, err, moved.port, body)
	}
	if !bytes.Contains(body, []byte("m=audio "+strconv.Itoa(moved.port)+" RTP/AVP")) {
		t.Errorf("the offer has no audio line on the new port:\n%s", body)
	}
	if !streamClosed(old) {
		t.Error("the old RTP socket is still open")
	}
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcmu))
	r.expectStates(api.CallActive)
	params := moved.started()
	if len(params) != 1 || params[0].Remote.Port != 30000 {
		t.Errorf("the new stream started with %+v, want it aimed at the answer's port 30000", params)
	}
}

// A call hung up before the stack asks for its redirected offer gets none: the
// socket opened for it is closed and the stack keeps its offer.
func TestRedirectOfAnEndedCallOffersNothing(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	cs := r.expectStates(api.CallDialing)
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{CallRef: api.CallRef{CallID: cs.CallID}})
	r.expectStates(api.CallEnded)
	if body := d.reoffer("10.9.0.2"); body != nil {
		t.Errorf("an ended call offered %s", body)
	}
	if s := r.lastStream(); s.localIP != "10.9.0.2" || !streamClosed(s) {
		t.Errorf("the socket opened for the redirect (on %s) is not closed", s.localIP)
	}
}

package phone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// holdTimeout bounds one hold or resume re-INVITE, below the control API's command
// deadline so that the command answers with the SIP outcome.
const holdTimeout = 20 * time.Second

// holdState is where our side of a call's hold stands. The peer's side is a plain
// flag (call.remoteHeld): it changes only when the peer's re-INVITE says so.
type holdState uint8

const (
	holdOff     holdState = iota // not held by us
	holdGoing                    // our hold re-INVITE is in flight
	holdOn                       // the peer accepted our hold
	holdLeaving                  // our resume re-INVITE is in flight
	numHoldStates
)

var holdStateNames = [numHoldStates]string{"off", "going", "on", "leaving"}

func (s holdState) String() string {
	if s < numHoldStates {
		return holdStateNames[s]
	}
	return fmt.Sprintf("hold(%d)", uint8(s))
}

// held reports whether the call counts as held by us: from the 2xx to the hold until
// the 2xx to the resume.
func (s holdState) held() bool { return s == holdOn || s == holdLeaving }

// holdInput is what moves our hold state.
type holdInput uint8

const (
	hiHold     holdInput = iota // call.hold {hold: true}
	hiResume                    // call.hold {hold: false}
	hiAccepted                  // 2xx to our re-INVITE
	hiRefused                   // a final error, a timeout or a transport failure
	numHoldInputs
)

var holdInputNames = [numHoldInputs]string{"hold", "resume", "accepted", "refused"}

func (in holdInput) String() string {
	if in < numHoldInputs {
		return holdInputNames[in]
	}
	return fmt.Sprintf("holdInput(%d)", uint8(in))
}

// errHoldBusy means a hold or resume re-INVITE is still in flight.
var errHoldBusy = api.Sentinel("a hold change is in progress", api.ErrInvalidState)

// holdStep is the hold state machine, pure like step. send says a re-INVITE must go
// out. Holding a held call and resuming a call that is not held change nothing and
// send nothing; a command while a re-INVITE is in flight is errHoldBusy; an outcome
// with no re-INVITE in flight is errInvalidTransition.
func holdStep(s holdState, in holdInput) (next holdState, send bool, err error) {
	switch in {
	case hiHold, hiResume:
		switch {
		case s == holdGoing || s == holdLeaving:
			return s, false, errHoldBusy
		case in == hiHold && s == holdOff:
			return holdGoing, true, nil
		case in == hiResume && s == holdOn:
			return holdLeaving, true, nil
		}
		return s, false, nil
	case hiAccepted:
		switch s {
		case holdGoing:
			return holdOn, false, nil
		case holdLeaving:
			return holdOff, false, nil
		}
	case hiRefused:
		switch s {
		case holdGoing:
			return holdOff, false, nil
		case holdLeaving:
			return holdOn, false, nil
		}
	}
	return s, false, errInvalidTransition
}

// pendingHold is a hold or resume re-INVITE in flight: the command waiting for its
// outcome, and the cancel of the worker that sends it.
type pendingHold struct {
	done   answer
	cancel context.CancelFunc
}

// hold runs call.hold on the actor. A re-INVITE may take seconds, so the actor does
// not wait for it: it moves the hold state, a worker sends the re-INVITE and posts the
// peer's outcome back, and the command is answered when the actor applies it
// (endHold). The call keeps done until then.
func (p *Phone) hold(a *api.HoldArgs, done answer) {
	c, err := p.resolve(a.CallRef)
	if err != nil {
		done(nil, err)
		return
	}
	c.autoHeld = false // the user decides for this call now
	p.changeHold(c, a.Hold, done)
}

// changeHold holds or resumes c and answers done once the peer has (at once when c
// is already as asked or cannot change).
func (p *Phone) changeHold(c *call, hold bool, done answer) {
	send, err := p.beginHold(c, hold)
	switch {
	case err != nil:
		done(nil, err)
		return
	case !send:
		done(api.Empty{}, nil) // already as asked
		return
	}
	ctx, cancel := context.WithTimeout(p.work, holdTimeout)
	c.pendingHold = &pendingHold{done: done, cancel: cancel}
	d := c.dialog
	p.goWork(func(context.Context) {
		answer, err := d.Hold(ctx, hold)
		p.post(func() { p.endHold(c, answer, err) })
	})
}

// beginHold checks that c can change its hold and moves it; true means a re-INVITE
// must be sent.
func (p *Phone) beginHold(c *call, hold bool) (bool, error) {
	verb := map[bool]string{true: "hold", false: "resume"}[hold]
	if c.state != stActive {
		return false, fmt.Errorf("%w: cannot %s: the call on line %d is %s", ErrCallState, verb, c.line, c.state)
	}
	in := hiResume
	if hold {
		in = hiHold
	}
	next, send, err := holdStep(c.hold, in)
	if err != nil {
		return false, fmt.Errorf("cannot %s the call on line %d: %w", verb, c.line, err)
	}
	c.hold = next
	return send, nil
}

// endHold applies the outcome of the call's re-INVITE and answers the command that
// sent it.
func (p *Phone) endHold(c *call, answer []byte, sipErr error) {
	pending := c.pendingHold
	if pending == nil {
		return
	}
	c.pendingHold = nil
	pending.cancel()
	pending.done(p.applyHold(c, answer, sipErr))
	if c.netStale {
		p.followNetwork() // the network changed meanwhile (netchange.go)
	}
}

// cancelHold stops the call's re-INVITE, if one is in flight; its outcome still comes
// back to endHold. The actor calls it when the call ends.
func (c *call) cancelHold() {
	if c.pendingHold != nil {
		c.pendingHold.cancel()
	}
}

// applyHold moves the hold state by the outcome of a re-INVITE and reports the change.
func (p *Phone) applyHold(c *call, answer []byte, sipErr error) (any, error) {
	in := hiAccepted
	if sipErr != nil {
		in = hiRefused
	}
	next, _, err := holdStep(c.hold, in)
	if err != nil || c.state == stEnded {
		return nil, fmt.Errorf("%w: the call on line %d ended", ErrCallState, c.line)
	}
	wasHeld := c.hold.held()
	c.hold = next
	if sipErr != nil {
		p.log.Info("hold change refused", "call", c.id, "err", sipErr)
		return nil, holdError(sipErr)
	}
	if len(answer) > 0 {
		p.updateRemoteMedia(c, answer)
	}
	if wasHeld != c.hold.held() {
		p.holdChanged(c)
	}
	return api.Empty{}, nil
}

// holdError says why a re-INVITE failed: the peer refused it (the error keeps its
// *sipstack.StatusError), did not answer in time, or the dialog could no longer
// carry it.
func holdError(err error) error {
	var refused *sipstack.StatusError
	switch {
	case errors.As(err, &refused):
		return holdRefused{refused}
	case errors.Is(err, sipstack.ErrCallState), errors.Is(err, sipstack.ErrCallEnded):
		return fmt.Errorf("%w: re-INVITE: %w", ErrCallState, err)
	case errors.Is(err, context.DeadlineExceeded):
		return ErrHoldTimeout
	}
	return fmt.Errorf("%w: re-INVITE: %w", ErrSignalling, err)
}

// holdRefused is the peer's error answer to a re-INVITE: ErrHoldRefused with the SIP
// status, "the peer refused the re-INVITE: 488 Not Acceptable Here".
type holdRefused struct{ status *sipstack.StatusError }

func (e holdRefused) Error() string {
	return fmt.Sprintf("%v: %d %s", ErrHoldRefused, e.status.Code, e.status.Reason)
}

func (e holdRefused) Unwrap() []error { return []error{ErrHoldRefused, e.status} }

// onRemoteUpdate takes a re-INVITE the peer sent and the stack accepted: its media
// address may have moved, and it may hold us or let us go.
func (p *Phone) onRemoteUpdate(sipID string, sdp []byte, remoteHeld bool) {
	c := p.lines.find(sipID)
	if c == nil || c.state != stActive {
		return
	}
	p.remoteUpdate(c, sdp, remoteHeld)
}

// remoteUpdate is onRemoteUpdate for the call found.
func (p *Phone) remoteUpdate(c *call, sdp []byte, remoteHeld bool) {
	p.updateRemoteMedia(c, sdp)
	if c.remoteHeld != remoteHeld {
		c.remoteHeld = remoteHeld
		p.holdChanged(c)
	}
}

// holdChanged passes the hold flags to the media clock, restarts the RTP timeout
// when the call is no longer held either way, and reports the call.
func (p *Phone) holdChanged(c *call) {
	p.updatePump()
	if !c.onHold() {
		c.unheld = p.now()
	}
	p.log.Info("hold", "call", c.id, "held", c.hold.held(), "remote_held", c.remoteHeld)
	p.bus.Emit(api.EvCallState, c.public())
}

// onHold reports whether media is paused either way, or about to be: the RTP timeout
// does not apply then (a held peer may stop sending).
func (c *call) onHold() bool { return c.hold != holdOff || c.remoteHeld }

// updateRemoteMedia points the stream at the address, codec, telephone-event and packet time of
// the peer's new SDP when they changed. A held peer's 0.0.0.0 or port 0 is not an
// address to send to and changes nothing.
func (p *Phone) updateRemoteMedia(c *call, sdp []byte) {
	n, err := p.negotiate(p.accountOf(c), sdp, c.crypto)
	if err != nil {
		p.log.Info("re-INVITE SDP not used", "call", c.id, "err", err)
		return
	}
	if n.remote.IP.IsUnspecified() {
		return
	}
	n.mux = n.mux && c.ourMux // our answer accepts rtcp-mux only if our first SDP had it (sipstack's answer)
	n.cnPT = ourComfortNoise(c, n.cnPT)
	if sameAddr(n.remote, c.media.remote) && n.codec == c.media.codec && n.dtmfPT == c.media.dtmfPT && sameSRTP(n.srtp, c.media.srtp) && n.mux == c.media.mux &&
		sameAddr(n.rtcp, c.media.rtcp) && n.ptime == c.media.ptime && n.cnPT == c.media.cnPT {
		return
	}
	if !sameAddr(n.remote, c.media.remote) {
		p.punch(c, n.remote) // the peer's media moved: open our NAT toward it
	}
	c.media = n
	if c.offerer() {
		c.remoteSDP = sdp // startMedia negotiates the media of a call we offered from it
	}
	if err := p.startMedia(c); err != nil {
		p.log.Warn("media update", "call", c.id, "err", err)
		return
	}
	p.log.Info("media moved", "call", c.id, "remote", n.remote.String(), "codec", n.codec.Name)
}

func sameAddr(a, b *net.UDPAddr) bool {
	return a != nil && b != nil && a.Port == b.Port && a.IP.Equal(b.IP)
}

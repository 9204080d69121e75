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
var errHoldBusy = errors.New("a hold change is in progress")

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

// hold runs call.hold. Its re-INVITE may take seconds, so it does not run on the
// actor: the actor starts it (checks and marks the call), this goroutine waits for the
// peer, and the actor applies the outcome. The command answers once the peer did.
func (p *Phone) hold(ctx context.Context, a *api.HoldArgs) (api.Empty, error) {
	if err := ctx.Err(); err != nil {
		return api.Empty{}, err
	}
	var c *call
	var d Dialog
	// The actor steps below are short; they are not cut by ctx, so that a started
	// re-INVITE is always finished on the actor.
	send, err := p.call(context.Background(), func() (any, error) {
		if p.stopping {
			return nil, ErrStopped
		}
		var err error
		if c, err = p.resolve(a.CallRef); err != nil {
			return nil, err
		}
		d = c.dialog
		return p.beginHold(c, a.Hold)
	})
	if err != nil {
		return api.Empty{}, err
	}
	if !send.(bool) {
		return api.Empty{}, nil
	}
	hctx, cancel := context.WithTimeout(ctx, holdTimeout)
	answer, sipErr := d.Hold(hctx, a.Hold)
	cancel()
	_, err = p.call(context.Background(), func() (any, error) { return p.endHold(c, answer, sipErr) })
	return api.Empty{}, err
}

// beginHold checks that c can change its hold and moves it; true means a re-INVITE
// must be sent.
func (p *Phone) beginHold(c *call, hold bool) (bool, error) {
	verb := map[bool]string{true: "hold", false: "resume"}[hold]
	if c.state != stActive {
		return false, api.NewError(api.CodeInvalidState, fmt.Sprintf("cannot %s: the call on line %d is %s", verb, c.line, c.state))
	}
	in := hiResume
	if hold {
		in = hiHold
	}
	next, send, err := holdStep(c.hold, in)
	if err != nil {
		return false, api.NewError(api.CodeInvalidState, fmt.Sprintf("cannot %s the call on line %d: %v", verb, c.line, err))
	}
	c.hold = next
	return send, nil
}

// endHold applies the outcome of a hold or resume re-INVITE.
func (p *Phone) endHold(c *call, answer []byte, sipErr error) (any, error) {
	in := hiAccepted
	if sipErr != nil {
		in = hiRefused
	}
	next, _, err := holdStep(c.hold, in)
	if err != nil || c.state == stEnded {
		return nil, api.NewError(api.CodeInvalidState, fmt.Sprintf("the call on line %d ended", c.line))
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
	return struct{}{}, nil
}

// holdError maps a failed re-INVITE to the wire.
func holdError(err error) error {
	var se *sipstack.StatusError
	switch {
	case errors.As(err, &se):
		return api.NewError(api.CodeUnavailable, fmt.Sprintf("the peer refused the re-INVITE: %d %s", se.Code, se.Reason))
	case errors.Is(err, sipstack.ErrCallState), errors.Is(err, sipstack.ErrCallEnded):
		return api.NewError(api.CodeInvalidState, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return api.NewError(api.CodeUnavailable, "the peer did not answer the re-INVITE in time")
	}
	return api.NewError(api.CodeUnavailable, "re-INVITE: "+err.Error())
}

// onRemoteUpdate takes a re-INVITE the peer sent and the stack accepted: its media
// address may have moved, and it may hold us or let us go.
func (p *Phone) onRemoteUpdate(sipID string, sdp []byte, remoteHeld bool) {
	c := p.lines.find(sipID)
	if c == nil || c.state != stActive {
		return
	}
	p.updateRemoteMedia(c, sdp)
	if c.remoteHeld != remoteHeld {
		c.remoteHeld = remoteHeld
		p.holdChanged(c)
	}
}

// holdChanged passes the hold flags to the media clock, restarts the RTP timeout
// when the call is no longer held either way, and reports the call.
func (p *Phone) holdChanged(c *call) {
	if c.leg != nil {
		c.leg.held.Store(c.hold.held())
		c.leg.remoteHeld.Store(c.remoteHeld)
	}
	if !c.onHold() {
		c.unheld = p.now()
	}
	p.log.Info("hold", "call", c.id, "held", c.hold.held(), "remote_held", c.remoteHeld)
	p.bus.Emit(api.EvCallState, c.public())
}

// onHold reports whether media is paused either way, or about to be: the RTP timeout
// does not apply then (a held peer may stop sending).
func (c *call) onHold() bool { return c.hold != holdOff || c.remoteHeld }

// updateRemoteMedia points the stream at the address, codec and telephone-event of
// the peer's new SDP when they changed. A held peer's 0.0.0.0 or port 0 is not an
// address to send to and changes nothing.
func (p *Phone) updateRemoteMedia(c *call, sdp []byte) {
	n, err := p.negotiate(sdp)
	if err != nil {
		p.log.Info("re-INVITE SDP not used", "call", c.id, "err", err)
		return
	}
	if n.remote.IP.IsUnspecified() {
		return
	}
	if sameAddr(n.remote, c.media.remote) && n.codec == c.media.codec && n.dtmfPT == c.media.dtmfPT {
		return
	}
	c.media = n
	if c.outgoing {
		c.remoteSDP = sdp // startMedia negotiates an outgoing call's media from it
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

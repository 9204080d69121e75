package sipstack

import (
	"fmt"

	"github.com/emiago/sipgo/sip"
)

// Forward answers an incoming call not yet answered with 302 Moved Temporarily
// and a Contact of target, a SIP URI (RFC 3261 §8.3.3: the caller may send its
// INVITE there), and reports Ended once the response is sent and ACKed, as
// Reject does.
func (c *Call) Forward(target string) error {
	if !c.incoming {
		return ErrCallState
	}
	var uri sip.Uri
	if err := sip.ParseUri(target, &uri); err != nil || uri.Host == "" {
		return fmt.Errorf("%w: forward target %q is not a SIP URI", ErrCallState, target)
	}
	if !c.setState(stateRejecting, stateInviting) {
		return stateError(c.getState())
	}
	res := sip.NewResponseFromRequest(c.uas.InviteRequest, 302, "Moved Temporarily", nil)
	res.AppendHeader(&sip.ContactHeader{Address: uri})
	go func() {
		defer close(c.inviteDone)
		if err := c.uas.WriteResponse(res); err != nil {
			c.log.Info("forward failed", "error", err)
			c.emitInviteGone()
			return
		}
		c.emit(Ended, 302, "Moved Temporarily", nil)
	}()
	return nil
}

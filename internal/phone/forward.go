package phone

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// forward runs call.forward: a ringing incoming call is answered with 302
// Moved Temporarily and a Contact of the target (Mizu's forward(number)), and
// ends with cause forwarded, the target in its reason.
func (p *Phone) forward(a *api.ForwardArgs) (api.Empty, error) {
	to := strings.TrimSpace(a.Target)
	if to == "" {
		return api.Empty{}, api.BadArg("target", "required: a SIP URI, a user or a number")
	}
	c, err := p.resolve(a.CallRef)
	if err != nil {
		return api.Empty{}, err
	}
	if _, err := step(c.state, c.outgoing, inForward); err != nil {
		return api.Empty{}, fmt.Errorf("%w: only a ringing incoming call can be forwarded; the call on line %d is %s %s", ErrCallState, c.line, directionName(c), c.state)
	}
	uri, err := p.cfg.SIP.Target(to)
	if err != nil {
		return api.Empty{}, api.BadArg("target", err.Error())
	}
	c.forwardTo = uri
	p.apply(c, inForward, 302, uri)
	return api.Empty{}, nil
}

// sendForward sends c's 302 toward c.forwardTo. A call the stack can no
// longer redirect is declined with 603 instead, as the user would have.
func (p *Phone) sendForward(c *call, log *slog.Logger) {
	err := c.dialog.Forward(c.forwardTo)
	if err == nil {
		log.Info("forwarded", "to", c.forwardTo)
		return
	}
	log.Warn("send 302", "to", c.forwardTo, "err", err)
	if err := c.dialog.Reject(603, rejectReason(603)); err != nil {
		log.Debug("send 603 after a failed 302", "err", err)
	}
}

package sipstack

import (
	"context"
	"fmt"

	"github.com/emiago/sipgo/sip"
)

// Hold puts an established call on hold (hold true) or takes it off hold
// with a re-INVITE in the dialog, as RFC 3264 section 8.4 describes: our SDP
// again, its o= version one higher, with a=sendonly to hold (a=inactive when
// the peer holds us too) and a=sendrecv to resume (a=recvonly while the peer
// still holds us). On a 2xx it sends the ACK and returns the peer's answer.
//
// A 491 (the peer's own re-INVITE crossed ours) sends it again after the
// delay of RFC 3261 section 14.1 (glare.go). A non-2xx answer is a
// *StatusError (491 when the retries crossed too); a timeout or transport
// failure is returned as is. Either way the call stays as it was. ErrCallState means the call is not established,
// has no SDP of ours, or another re-INVITE of ours is in flight.
func (c *Call) Hold(ctx context.Context, hold bool) ([]byte, error) {
	answer, code, err := c.glareRetry(ctx, func() ([]byte, int, error) {
		body, ver, err := c.beginReInvite(hold)
		if err != nil {
			return nil, 0, err
		}
		return c.reInvite(ctx, body, c.inDialog, func(answer []byte) {
			c.sdp.commitOffer(body, ver, hold, answer)
		})
	})
	if err == nil {
		c.log.Info("re-INVITE accepted", "hold", hold, "code", code)
	}
	return answer, err
}

// beginReInvite checks that a re-INVITE may go now, renders its offer and
// marks the call as re-INVITING.
func (c *Call) beginReInvite(hold bool) ([]byte, uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.reInviteAllowed(); err != nil {
		return nil, 0, err
	}
	body, ver, err := c.sdp.offer(hold)
	if err != nil {
		return nil, 0, err
	}
	c.reinviting = true
	return body, ver, nil
}

// reInviteAllowed says why a re-INVITE of ours may not go now, or nil. c.mu is held.
func (c *Call) reInviteAllowed() error {
	switch {
	case c.state == stateEnded:
		return ErrCallEnded
	case c.state != stateEstablished:
		return fmt.Errorf("%w: the call is not established", ErrCallState)
	case c.reinviting:
		return fmt.Errorf("%w: a re-INVITE is already in flight", ErrCallState)
	}
	return nil
}

// reInvite sends a re-INVITE of ours with the SDP offer body, the call already
// marked as re-INVITING; address sets the addresses of it and of its ACK. On a 2xx
// it sends the ACK, runs commit with the peer's answer under the call's lock, and
// returns the answer and the status code. A non-2xx answer is a *StatusError; a
// timeout or transport failure is returned as is. Either way the call is no longer
// re-INVITING and its SDP stays as it was.
func (c *Call) reInvite(ctx context.Context, body []byte, address func(*sip.Request),
	commit func(answer []byte)) ([]byte, int, error) {
	committed := false
	defer func() {
		if !committed {
			c.mu.Lock()
			c.reinviting = false
			c.mu.Unlock()
		}
	}()

	req := sip.NewRequest(sip.INVITE, c.remoteTarget())
	address(req)
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	c.refreshTerms(req)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)

	res, err := c.do(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("sipstack: re-INVITE: %w", err)
	}
	if !res.IsSuccess() {
		return nil, 0, statusError(res)
	}
	// The ACK of our re-INVITE's 2xx: a new request in the dialog with the
	// re-INVITE's CSeq number, which the dialog keeps as its last one.
	ack := sip.NewRequest(sip.ACK, c.remoteTarget())
	address(ack)
	if err := c.writeInDialog(ack); err != nil {
		c.log.Warn("ACK of re-INVITE failed", "error", err)
	}
	c.refreshAnswered(res)
	answer := res.Body()
	c.mu.Lock()
	commit(answer)
	c.reinviting = false
	c.mu.Unlock()
	committed = true
	return answer, res.StatusCode, nil
}

// inDialog gives an in-dialog request of ours the dialog's transport and the
// local address the call runs on.
func (c *Call) inDialog(req *sip.Request) {
	req.SetTransport(c.transport())
	c.st.pinLocal(req)
}

// remoteTarget is where in-dialog requests go: the peer's Contact.
func (c *Call) remoteTarget() sip.Uri {
	if c.incoming {
		if ct := c.uas.InviteRequest.Contact(); ct != nil {
			return *ct.Address.Clone()
		}
		return *c.uas.InviteRequest.From().Address.Clone()
	}
	return remoteTarget(c.uac.InviteRequest, c.uac.InviteResponse)
}

func (c *Call) transport() string {
	if c.incoming {
		return c.uas.InviteRequest.Transport()
	}
	return c.uac.InviteRequest.Transport()
}

// do sends an in-dialog request from our side of the dialog and waits for
// its final response.
func (c *Call) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	if c.incoming {
		return c.uas.Do(ctx, req)
	}
	return c.uac.Do(ctx, req)
}

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
// A non-2xx answer is a *StatusError (491 when the peer's own re-INVITE
// crossed ours); a timeout or transport failure is returned as is. Either way
// the call stays as it was. ErrCallState means the call is not established,
// has no SDP of ours, or another re-INVITE of ours is in flight.
func (c *Call) Hold(ctx context.Context, hold bool) ([]byte, error) {
	body, ver, err := c.beginReInvite(hold)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			c.mu.Lock()
			c.reinviting = false
			c.mu.Unlock()
		}
	}()

	req := sip.NewRequest(sip.INVITE, c.remoteTarget())
	req.SetTransport(c.transport())
	c.st.pinLocal(req)
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)

	res, err := c.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("sipstack: re-INVITE: %w", err)
	}
	if !res.IsSuccess() {
		return nil, &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	if err := c.ackReInvite(); err != nil {
		c.log.Warn("ACK of re-INVITE failed", "error", err)
	}
	answer := res.Body()
	c.mu.Lock()
	c.sdp.commitOffer(body, ver, hold, answer)
	c.reinviting = false
	c.mu.Unlock()
	committed = true
	c.log.Info("re-INVITE accepted", "hold", hold, "code", res.StatusCode)
	return answer, nil
}

// beginReInvite checks that a re-INVITE may go now, renders its offer and
// marks the call as re-INVITING.
func (c *Call) beginReInvite(hold bool) ([]byte, uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.state == stateEnded:
		return nil, 0, ErrCallEnded
	case c.state != stateEstablished:
		return nil, 0, fmt.Errorf("%w: the call is not established", ErrCallState)
	case c.reinviting:
		return nil, 0, fmt.Errorf("%w: a re-INVITE is already in flight", ErrCallState)
	}
	body, ver, err := c.sdp.offer(hold)
	if err != nil {
		return nil, 0, err
	}
	c.reinviting = true
	return body, ver, nil
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

// ackReInvite sends the ACK for the 2xx to our re-INVITE: a new request in
// the dialog with the re-INVITE's CSeq number, which the dialog keeps as its
// last one.
func (c *Call) ackReInvite() error {
	ack := sip.NewRequest(sip.ACK, c.remoteTarget())
	ack.SetTransport(c.transport())
	c.st.pinLocal(ack)
	if c.incoming {
		return c.uas.WriteRequest(ack)
	}
	return c.uac.WriteRequest(ack)
}

package sipstack

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// MoveMedia moves our side of an established call to a new local address, after the
// machine's address changed: a re-INVITE whose SDP offers our media at media (the
// same codecs and hold direction, the o= version one higher; media is ip and the RTP
// port, or behind a NAT the public address STUN learned) and whose Contact and Via
// name ip, so the peer sends both media and in-dialog requests there. On a
// 2xx it sends the ACK and returns the peer's answer, and the call's later offers
// and answers keep the new address.
//
// Errors are those of Hold: a *StatusError for a refusal, ErrCallState when the call
// is not established or another re-INVITE of ours is in flight, a timeout or a
// transport failure as is. Either way the call's SDP stays as it was.
//
// A call of ours not yet answered is moved with an UPDATE in its early dialog when
// a reliable provisional response completed its offer/answer and allows UPDATE
// (earlymove.go); otherwise ErrCallState: it can move only once answered.
func (c *Call) MoveMedia(ctx context.Context, ip string, media netip.AddrPort) ([]byte, error) {
	if !c.incoming && c.getState() == stateInviting {
		return c.moveEarly(ctx, ip, media)
	}
	answer, code, err := c.glareRetry(ctx, func() ([]byte, int, error) {
		body, ver, base, err := c.beginMove(media.Addr().String(), int(media.Port()))
		if err != nil {
			return nil, 0, err
		}
		return c.reInvite(ctx, body, func(req *sip.Request) { c.fromAddress(req, ip) }, func(answer []byte) {
			c.sdp.base = base
			c.sdp.commitOffer(body, ver, c.sdp.held, answer)
		})
	})
	if err == nil {
		c.log.Info("media moved", "ip", ip, "media", media.String(), "code", code)
	}
	return answer, err
}

// beginMove checks that a re-INVITE may go now, renders the offer of our media at
// ip and port, and marks the call as re-INVITING. base is the description to keep
// once the peer accepts.
func (c *Call) beginMove(ip string, port int) ([]byte, uint64, MediaDesc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.reInviteAllowed(); err != nil {
		return nil, 0, MediaDesc{}, err
	}
	if !c.sdp.ok {
		return nil, 0, MediaDesc{}, fmt.Errorf("%w: no SDP of ours to re-offer", ErrCallState)
	}
	moved := c.sdp
	moved.base.IP, moved.base.Port = ip, port
	moved.base.RTCPIP, moved.base.RTCPPort = "", 0 // the old socket's a=rtcp: RTCP is on the next port
	body, ver, err := moved.offer(c.sdp.held)
	if err != nil {
		return nil, 0, MediaDesc{}, err
	}
	c.reinviting = true
	return body, ver, moved.base, nil
}

// fromAddress makes an in-dialog request name ip as ours: its Contact, and for UDP
// its Via, which the dialog would otherwise fill with the address the call began on.
func (c *Call) fromAddress(req *sip.Request, ip string) {
	tp := strings.ToUpper(c.transport())
	req.SetTransport(tp)
	c.st.pinLocal(req)
	ct := c.st.contact(c.account, tp, c.contactUser(), ip)
	req.AppendHeader(&ct)
	if tp == "UDP" {
		_ = sipgo.ClientRequestAddVia(c.st.client(tp, ip), req)
	}
}

// contactUser is the user part of the Contact we gave the peer when the call began.
func (c *Call) contactUser() string {
	var ct *sip.ContactHeader
	if c.incoming {
		if res := c.uas.InviteResponse; res != nil {
			ct = res.Contact()
		}
	} else {
		ct = c.uac.InviteRequest.Contact()
	}
	if ct != nil {
		return ct.Address.User
	}
	acc, _ := c.st.accountByID(c.account)
	return acc.Username
}

// writeInDialog sends a request of the dialog that has no transaction (an ACK).
func (c *Call) writeInDialog(req *sip.Request) error {
	if c.incoming {
		return c.uas.WriteRequest(req)
	}
	return c.uac.WriteRequest(req)
}

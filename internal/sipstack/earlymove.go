package sipstack

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/emiago/sipgo/sip"
)

// Our media moved while our call is still ringing (RFC 3311 section 5.1). An
// early dialog whose offer/answer a reliable provisional response completed (the
// INVITE's offer answered in a PRACKed 1xx, prack.go), with a peer whose Allow in
// that response lists UPDATE, takes a new offer in an UPDATE: MoveMedia sends it
// there. Any other unanswered call has no way to carry a new offer before the 2xx
// (an unreliable 183's answer is not final, a re-INVITE needs a confirmed dialog,
// and a peer that does not allow UPDATE must not get one), so MoveMedia refuses
// it with ErrCallState and the phone moves it once it is answered.

// moveEarly is MoveMedia in an early dialog: an UPDATE offering our media at media,
// with Contact and Via at ip, in the early dialog of the last reliable provisional
// response. On a 2xx the offer is committed (the o= version one higher) and the
// peer's answer returned.
func (c *Call) moveEarly(ctx context.Context, ip string, media netip.AddrPort) ([]byte, error) {
	body, ver, base, res, err := c.beginEarlyMove(media.Addr().String(), int(media.Port()))
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
	req := sip.NewRequest(sip.UPDATE, remoteTarget(c.uac.InviteRequest, res))
	c.fromAddress(req, ip)
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	answer, err := c.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("sipstack: early UPDATE: %w", err)
	}
	if !answer.IsSuccess() {
		return nil, statusError(answer)
	}
	c.mu.Lock()
	c.sdp.base = base
	c.sdp.commitOffer(body, ver, c.sdp.held, answer.Body())
	c.reinviting = false
	c.mu.Unlock()
	committed = true
	c.log.Info("early media moved", "ip", ip, "media", media.String())
	return answer.Body(), nil
}

// beginEarlyMove checks that an early UPDATE may go now, renders the offer of our
// media at ip and port and marks our offer as in flight (a crossing UPDATE of the
// peer's gets 491). res is the provisional response whose dialog it goes in.
func (c *Call) beginEarlyMove(ip string, port int) ([]byte, uint64, MediaDesc, *sip.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := c.uac.InviteResponse
	var id string
	if res != nil {
		id, _ = sip.DialogIDFromResponse(res)
	}
	switch {
	case c.state != stateInviting || !slices.Contains(c.earlyDialogs, id):
		return nil, 0, MediaDesc{}, nil, fmt.Errorf("%w: no early dialog with a completed offer/answer", ErrCallState)
	case res == nil || !res.IsProvisional() || !allowsUpdate(res):
		return nil, 0, MediaDesc{}, nil, fmt.Errorf("%w: the early dialog does not allow UPDATE", ErrCallState)
	case c.reinviting:
		return nil, 0, MediaDesc{}, nil, fmt.Errorf("%w: an offer of ours is already in flight", ErrCallState)
	}
	moved := c.sdp
	moved.base.IP, moved.base.Port = ip, port
	moved.base.RTCPIP, moved.base.RTCPPort = "", 0
	body, ver, err := moved.offer(c.sdp.held)
	if err != nil {
		return nil, 0, MediaDesc{}, nil, err
	}
	c.reinviting = true
	return body, ver, moved.base, res, nil
}

package sipstack

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/emiago/sipgo"
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
//
// The UPDATE is built from the call's own copy of that dialog (earlyTarget), taken
// when its response came, and sent on the call's client (tapseq.go numbers it):
// sipgo's session keeps the last response to the INVITE in a field it writes,
// unlocked, as each new one arrives, so nothing built while the call rings may
// read it.

// earlyTarget is what an UPDATE in an early dialog needs of it: a copy made from
// the reliable provisional response that completed its offer/answer, on the
// goroutine that waits for the INVITE's answer.
type earlyTarget struct {
	id           string       // the early dialog
	target       sip.Uri      // the response's Contact, else the INVITE's Request-URI
	route        []sip.Header // its Record-Route, reversed (RFC 3261 section 12.1.2)
	from, to     sip.Header   // the INVITE's From, the response's To with its tag
	callID       sip.Header
	transport    string // the INVITE's
	contactUser  string // the user part of the INVITE's Contact
	allowsUpdate bool   // the response's Allow lists UPDATE
}

// newEarlyTarget copies what an UPDATE in res's early dialog needs of inv and res.
func newEarlyTarget(id string, inv *sip.Request, res *sip.Response) *earlyTarget {
	e := &earlyTarget{
		id:           id,
		target:       remoteTarget(inv, res),
		from:         sip.HeaderClone(inv.From()),
		to:           sip.HeaderClone(res.To()),
		callID:       sip.HeaderClone(inv.CallID()),
		transport:    strings.ToUpper(inv.Transport()),
		allowsUpdate: allowsUpdate(res),
	}
	if ct := inv.Contact(); ct != nil {
		e.contactUser = ct.Address.User
	}
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		e.route = append(e.route, sip.NewHeader("Route", rr[i].Value()))
	}
	return e
}

// request builds a request of method in the early dialog, from our side of it on
// the account with id at ip; the tap gives it its CSeq number (tapseq.go).
func (e *earlyTarget) request(st *Stack, id string, method sip.RequestMethod, ip string) *sip.Request {
	req := sip.NewRequest(method, *e.target.Clone())
	req.AppendHeader(sip.HeaderClone(e.from))
	req.AppendHeader(sip.HeaderClone(e.to))
	req.AppendHeader(sip.HeaderClone(e.callID))
	req.AppendHeader(&sip.CSeqHeader{MethodName: method})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	for _, r := range e.route {
		req.AppendHeader(sip.HeaderClone(r))
	}
	if rh := req.Route(); rh != nil && !rh.Address.UriParams.Has("lr") {
		req.Recipient = *rh.Address.Clone() // a strict router, as sipgo's session does
	}
	req.SetTransport(e.transport)
	st.pinLocal(req)
	ct := st.contact(id, e.transport, e.contactUser, ip)
	req.AppendHeader(&ct)
	if e.transport == "UDP" {
		_ = sipgo.ClientRequestAddVia(st.client(e.transport, ip), req)
	}
	return req
}

// moveEarly is MoveMedia in an early dialog: an UPDATE offering our media at media,
// with Contact and Via at ip, in the early dialog of the last reliable provisional
// response that completed an offer/answer. On a 2xx the offer is committed (the o=
// version one higher) and the peer's answer returned.
func (c *Call) moveEarly(ctx context.Context, ip string, media netip.AddrPort) ([]byte, error) {
	body, ver, base, early, cl, err := c.beginEarlyMove(media.Addr().String(), int(media.Port()))
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
	req := early.request(c.st, c.account, sip.UPDATE, ip)
	req.AppendHeader(sip.NewHeader("User-Agent", c.st.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	answer, err := c.exchange(ctx, cl, req)
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

// exchange sends req, a request the call built itself, through cl and waits for
// its final response.
func (c *Call) exchange(ctx context.Context, cl *sipgo.Client, req *sip.Request) (*sip.Response, error) {
	tx, err := c.tap.sendOwn(ctx, cl, req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			return nil, tx.Err()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// beginEarlyMove checks that an early UPDATE may go now, renders the offer of our
// media at ip and port and marks our offer as in flight (a crossing UPDATE of the
// peer's gets 491). It returns the early dialog the UPDATE goes in and the client
// it goes through.
func (c *Call) beginEarlyMove(ip string, port int) ([]byte, uint64, MediaDesc, *earlyTarget, *sipgo.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	early := c.early
	switch {
	case c.state != stateInviting || early == nil || !slices.Contains(c.earlyDialogs, early.id):
		return nil, 0, MediaDesc{}, nil, nil, fmt.Errorf("%w: no early dialog with a completed offer/answer", ErrCallState)
	case !early.allowsUpdate:
		return nil, 0, MediaDesc{}, nil, nil, fmt.Errorf("%w: the early dialog does not allow UPDATE", ErrCallState)
	case c.reinviting:
		return nil, 0, MediaDesc{}, nil, nil, fmt.Errorf("%w: an offer of ours is already in flight", ErrCallState)
	}
	moved := c.sdp
	moved.base.IP, moved.base.Port = ip, port
	moved.base.RTCPIP, moved.base.RTCPPort = "", 0
	body, ver, err := moved.offer(c.sdp.held)
	if err != nil {
		return nil, 0, MediaDesc{}, nil, nil, err
	}
	c.reinviting = true
	return body, ver, moved.base, early, c.uac.UA.Client, nil
}

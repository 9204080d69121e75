package sipstack

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Requests outside any dialog (an INVITE, a MESSAGE, the first SUBSCRIBE of a
// dialog, a PUBLISH) begin alike. newOutOfDialog chooses the transport (the
// target's transport parameter, else the account's, else UDP) and the local
// address that routes to the first hop, and writes From (our address of record,
// or anonymous without an account), To, Call-ID, CSeq, Max-Forwards and
// User-Agent; the caller adds what its method needs, body included, then route
// sends it through the account's outbound proxy and, when the account's server
// was found through DNS, to the hop in use (routes.go), from our UDP socket.
// sendOutOfDialog sends a non-INVITE so prepared and, as an INVITE does, moves
// on to the server's next hop when the one in use fails (RFC 3263 section 4.3).

// outOfDialog is a request from an account being prepared and sent: one outside
// any dialog, or a subscription's refresh, which sendOutOfDialog sends the same way
// but never to another hop.
type outOfDialog struct {
	req    *sip.Request
	acc    Account
	hasAcc bool
	ip     string // the local address it advertises
	byDNS  bool   // route sent it to the hop in use of the account's server
}

// requestIDs name what a request belongs to; zero values are new ones (CSeq 1).
type requestIDs struct {
	callID  string
	fromTag string
	cseq    uint32
	to      *sip.Uri // the To URI; nil is the target without its parameters
}

// newOutOfDialog begins a request of method to target from acc (hasAcc false:
// from no account).
func (s *Stack) newOutOfDialog(method sip.RequestMethod, target sip.Uri, acc Account, hasAcc bool, ids requestIDs) *outOfDialog {
	ip := s.localIP(firstHop(acc, hasAcc, target))
	from := sip.Uri{Scheme: "sip", User: "anonymous", Host: ip}
	if hasAcc {
		from = aor(acc)
	}
	if ids.callID == "" {
		ids.callID = newCallID()
	}
	if ids.fromTag == "" {
		ids.fromTag = newTag()
	}
	ids.cseq = max(ids.cseq, 1)
	to := sip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host, Port: target.Port}
	if ids.to != nil {
		to = *ids.to
	}

	req := sip.NewRequest(method, target)
	req.SetTransport(dialTransport(acc, hasAcc, target))
	fromH := &sip.FromHeader{DisplayName: escapeDisplayName(acc.DisplayName), Address: from, Params: sip.NewParams()}
	fromH.Params.Add("tag", ids.fromTag)
	callID := sip.CallIDHeader(ids.callID)
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(fromH)
	req.AppendHeader(&sip.ToHeader{Address: to, Params: sip.NewParams()})
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: ids.cseq, MethodName: method})
	req.AppendHeader(&maxFwd)
	req.AppendHeader(sip.NewHeader("User-Agent", s.cfg.UserAgent))
	return &outOfDialog{req: req, acc: acc, hasAcc: hasAcc, ip: ip}
}

// transport is the transport the request leaves on: after route, perhaps
// another than the one it began with.
func (o *outOfDialog) transport() string { return o.req.Transport() }

// route readies the complete request to leave: through the account's outbound
// proxy (Route), to the hop in use of its server found through DNS, over TCP
// when it is too large for a datagram and the server takes TCP (routes.go),
// from our UDP socket.
func (s *Stack) route(o *outOfDialog) {
	if o.hasAcc {
		routeTo(o.req, o.acc)
		if toServer(o.acc, o.req.Recipient) {
			s.routeByDNS(o.req, o.acc, o.transport())
			o.byDNS = true
		}
	}
	s.pinLocal(o.req)
}

// sendOutOfDialog sends o's routed request, a non-INVITE, and returns its final
// answer through digest challenges, and the request that got it. A request to
// the hop in use of the account's server that gets no answer (a transport error,
// or none within perHop) or a 503 goes again to the next hop.
func (s *Stack) sendOutOfDialog(ctx context.Context, o *outOfDialog, perHop time.Duration) (*sip.Response, *sip.Request, error) {
	req := o.req
	for {
		hopCtx, cancel := context.WithTimeout(ctx, perHop)
		res, err := s.sendWithAuth(hopCtx, s.client(req.Transport(), o.ip), req, o.acc)
		cancel()
		if o.byDNS && ctx.Err() == nil && failsOver(res, err) {
			if next, ok := s.atNextHop(req, o.acc); ok { // routes.go
				req = next
				continue
			}
		}
		return res, req, err
	}
}

// failsOver reports whether the outcome of a non-INVITE sends it on to the next
// hop: no answer at all, or 503.
func failsOver(res *sip.Response, err error) bool {
	if err != nil {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, ErrClosed)
	}
	return res.StatusCode == 503
}

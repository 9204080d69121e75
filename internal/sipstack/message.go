package sipstack

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Instant messages (RFC 3428): a MESSAGE request outside any dialog, its body the
// text. Ours go as a call's INVITE goes: to the target through the outbound proxy,
// on the transport the target or the account names, over TCP instead of UDP when the
// account's server was found through DNS and offers TCP and the request is too
// large for a datagram (routes.go), with digest credentials on a 401 or 407.

// MaxMessageText is the largest text, in bytes of UTF-8, SendMessage sends and
// a received MESSAGE may carry (413 beyond it). RFC 3428 asks for no more than
// 1,300 bytes in all outside a media session, short of knowing that no hop is
// congestion-unsafe: a longer text goes as any large request does here, over TCP
// where the account is on TCP or its server offers TCP (routes.go), else in one
// UDP datagram fragmented by IP, as a long INVITE would.
const MaxMessageText = 4096

// messageType is the Content-Type of the MESSAGEs we send, and what we accept.
const messageType = "text/plain;charset=UTF-8"

// messageTimeout bounds one MESSAGE transaction when the caller's context does not.
const messageTimeout = 32 * time.Second // 64*T1, a non-INVITE transaction's life

// MessageResult is the final answer to a MESSAGE: Code 2xx when the peer (or its
// server, which may store it) took it; 408 when none came in time.
type MessageResult struct {
	Code   int
	Reason string
}

// MaxMessageBody is the largest body of a MESSAGE in another type than plain text,
// a CPIM envelope (RFC 3862) around such a text: the text and room for its headers.
const MaxMessageBody = MaxMessageText + 1024

// ErrBadMessage reports a text SendMessage refuses: empty, too long or not UTF-8.
var ErrBadMessage = errors.New("sipstack: bad message text")

// MessageOptions is a MESSAGE to send: Text as plain text, or Body of ContentType
// when that is set (a message/cpim envelope, RFC 3862, of at most MaxMessageBody).
type MessageOptions struct {
	Account     string // the id of the account it goes from; "" the default
	Target      string // a URI, normally from ParseTarget
	Text        string
	ContentType string
	Body        []byte
}

// SendMessage sends text to target (a URI, normally from ParseTarget) in a MESSAGE
// and waits for its final answer, through digest challenges. A transaction that
// ends without one (a transport failure) is an error; a timeout is a 408 result.
func (s *Stack) SendMessage(ctx context.Context, target, text string) (MessageResult, error) {
	return s.Send(ctx, MessageOptions{Target: target, Text: text})
}

// Send sends the MESSAGE o as SendMessage does.
func (s *Stack) Send(ctx context.Context, o MessageOptions) (MessageResult, error) {
	contentType, body := messageType, []byte(o.Text)
	switch {
	case o.ContentType != "":
		if len(o.Body) == 0 || len(o.Body) > MaxMessageBody {
			return MessageResult{}, fmt.Errorf("%w: an empty body, or one over %d bytes", ErrBadMessage, MaxMessageBody)
		}
		contentType, body = o.ContentType, o.Body
	case o.Text == "" || len(o.Text) > MaxMessageText || !utf8.ValidString(o.Text):
		return MessageResult{}, fmt.Errorf("%w: empty, over %d bytes or not UTF-8", ErrBadMessage, MaxMessageText)
	}
	target := o.Target
	acc, hasAcc := s.accountByID(o.Account)
	if !hasAcc && o.Account != "" {
		return MessageResult{}, ErrNoAccount
	}
	if _, err := ParseTarget(target, acc); err != nil {
		return MessageResult{}, err
	}
	u, err := parseURI(target)
	if err != nil {
		return MessageResult{}, err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return MessageResult{}, ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, messageTimeout)
	defer cancel()

	tp := dialTransport(acc, hasAcc, u)
	ip := s.localIP(firstHop(acc, hasAcc, u))
	from := sip.Uri{Scheme: "sip", User: "anonymous", Host: ip}
	if hasAcc {
		from = aor(acc)
	}
	req := s.newMessage(u, tp, from, acc.DisplayName, contentType, body)
	if hasAcc {
		routeTo(req, acc)
		if toServer(acc, u) {
			tp = s.routeByDNS(req, acc, tp) // routes.go
		}
	}
	s.pinLocal(req)
	cl := s.client(tp, ip)
	res, err := answered(cl.Do(ctx, req))
	for tries := 0; err == nil && hasAcc && acc.Password != "" && challenged(res) && (tries == 0 || staleNonce(res)); tries++ {
		if tries == maxChallenges {
			break
		}
		res, err = answered(cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: acc.authUser(), Password: acc.Password}))
	}
	if err != nil {
		if out := errorOutcome(err); out.Code != 0 {
			return MessageResult{Code: out.Code, Reason: out.Reason}, nil
		}
		return MessageResult{}, err
	}
	return MessageResult{Code: res.StatusCode, Reason: res.Reason}, nil
}

// newMessage builds a MESSAGE of body, of contentType, to target from our address
// of record.
func (s *Stack) newMessage(target sip.Uri, tp string, from sip.Uri, display, contentType string, body []byte) *sip.Request {
	req := sip.NewRequest(sip.MESSAGE, target)
	req.SetTransport(tp)
	fromH := &sip.FromHeader{DisplayName: escapeDisplayName(display), Address: from, Params: sip.NewParams()}
	fromH.Params.Add("tag", newTag())
	toURI := sip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host, Port: target.Port}
	callID := sip.CallIDHeader(newCallID())
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(fromH)
	req.AppendHeader(&sip.ToHeader{Address: toURI, Params: sip.NewParams()})
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.MESSAGE})
	req.AppendHeader(&maxFwd)
	req.AppendHeader(sip.NewHeader("User-Agent", s.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody(body)
	return req
}

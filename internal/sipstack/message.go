package sipstack

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
)

// Instant messages (RFC 3428): a MESSAGE request outside any dialog, its body the
// text. Ours go as a call's INVITE goes (outofdialog.go): to the target through the
// outbound proxy, on the transport the target or the account names, over TCP
// instead of UDP when the account's server was found through DNS and offers TCP
// and the request is too large for a datagram, on to the server's next hop when
// the one in use fails (routes.go), with digest credentials on a 401 or 407.

// MaxMessageText is the largest text, in bytes of UTF-8, SendMessage sends and
// a received MESSAGE may carry (413 beyond it). RFC 3428 asks for no more than
// 1,300 bytes in all outside a media session, short of knowing that no hop is
// congestion-unsafe: a longer text goes as any large request does here, over TCP
// where the account is on TCP or its server offers TCP (routes.go), else in one
// UDP datagram fragmented by IP, as a long INVITE would.
const MaxMessageText = 4096

// messageType is the Content-Type of the MESSAGEs we send, and what we accept.
const messageType = "text/plain;charset=UTF-8"

// messageTimeout bounds one MESSAGE transaction, at one hop, when the caller's
// context does not.
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
	m := s.newMessage(u, acc, hasAcc, contentType, body)
	s.route(m) // outofdialog.go
	res, _, err := s.sendOutOfDialog(ctx, m, min(messageTimeout, s.attemptTimeout()))
	if err != nil {
		if out := errorOutcome(err); out.Code != 0 {
			return MessageResult{Code: out.Code, Reason: out.Reason}, nil
		}
		return MessageResult{}, err
	}
	return MessageResult{Code: res.StatusCode, Reason: res.Reason}, nil
}

// newMessage builds a MESSAGE of body, of contentType, to target from acc
// (outofdialog.go).
func (s *Stack) newMessage(target sip.Uri, acc Account, hasAcc bool, contentType string, body []byte) *outOfDialog {
	o := s.newOutOfDialog(sip.MESSAGE, target, acc, hasAcc, requestIDs{})
	o.req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	o.req.SetBody(body)
	return o
}

package sipstack

import (
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"

	"github.com/wpservice/wpservice/internal/imdn"
)

// onMessage answers a MESSAGE (RFC 3428) that the source filter let through and
// reports its text as a Message event: 200 at once, for the text is then the
// phone's; 415 with Accept to a body other than plain text in UTF-8 (or ASCII) or
// a CPIM envelope (RFC 3862) of such a text or of a delivery notification (RFC
// 5438), 413 to a text longer than MaxMessageText, 400 to an empty one, one that
// is not UTF-8 or a broken envelope. (A Require we lack was answered 420 by screen.)
func (s *Stack) onMessage(req *sip.Request, tx sip.ServerTransaction) {
	body := req.Body()
	var env *imdn.Envelope
	code, reason := checkMessageBody(req.ContentType(), body)
	if code == 200 && isCPIM(req.ContentType()) {
		env, code, reason = readEnvelope(body)
	}
	if code != 200 {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		if code == 415 { // plain text, and the envelope: two lines of one list
			res.AppendHeader(sip.NewHeader("Accept", messageType))
			res.AppendHeader(sip.NewHeader("Accept", imdn.CPIMType))
		}
		_ = tx.Respond(res)
		return
	}
	if err := tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil)); err != nil {
		s.log.Info("MESSAGE answer not sent", "error", err)
	}
	from := req.From()
	m := Message{Text: string(body), CallID: req.CallID().Value(), Envelope: env}
	if env != nil {
		m.Text = ""
		if env.ContentType != imdn.NotificationType {
			m.Text = string(env.Body)
		}
	}
	if from != nil {
		m.From, m.FromUser, m.FromName = from.Address.String(), from.Address.User, unescapeDisplayName(from.DisplayName)
	}
	if to := req.To(); to != nil {
		m.To = to.Address.String()
	}
	if acc, ok := s.accountFor(req); ok {
		m.Account = acc.ID
	}
	s.emit(m)
}

// checkMessageBody is the answer a MESSAGE with this Content-Type (nil: none) and
// body gets: 200 when it is text we take, or a CPIM envelope of at most
// MaxMessageBody (readEnvelope looks inside).
func checkMessageBody(ct *sip.ContentTypeHeader, body []byte) (int, string) {
	if ct == nil {
		return 415, "Unsupported Media Type"
	}
	if isCPIM(ct) {
		switch {
		case len(body) == 0:
			return 400, "Empty Message"
		case len(body) > MaxMessageBody:
			return 413, "Request Entity Too Large"
		}
		return 200, "OK"
	}
	return checkText(ct.Value(), body)
}

// isCPIM reports a Content-Type of message/cpim.
func isCPIM(ct *sip.ContentTypeHeader) bool {
	mt, _, err := mime.ParseMediaType(ct.Value())
	return err == nil && mt == imdn.CPIMType
}

// readEnvelope reads a CPIM body: the envelope, and the answer it gets, 200 for
// a text we take or a delivery notification.
func readEnvelope(body []byte) (*imdn.Envelope, int, string) {
	env, err := imdn.Parse(body)
	if err != nil {
		return nil, 400, "Bad CPIM Message"
	}
	if mt, _, err := mime.ParseMediaType(env.ContentType); err == nil && mt == imdn.NotificationType {
		if _, err := imdn.ParseNotification(env.Body); err != nil {
			return nil, 400, "Bad Delivery Notification"
		}
		env.ContentType = imdn.NotificationType
		return &env, 200, "OK"
	}
	code, reason := checkText(env.ContentType, env.Body)
	return &env, code, reason
}

// checkText is the answer to a text of content type ct: 200 when it is plain text
// in UTF-8 (or ASCII), not empty and not over MaxMessageText.
func checkText(ct string, body []byte) (int, string) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "text/plain" {
		return 415, "Unsupported Media Type"
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
		return 415, "Unsupported Media Type"
	}
	switch {
	case len(body) == 0:
		return 400, "Empty Message"
	case len(body) > MaxMessageText:
		return 413, "Request Entity Too Large (at most " + strconv.Itoa(MaxMessageText) + " bytes of text)"
	case !utf8.Valid(body):
		return 400, "Text Not UTF-8"
	}
	return 200, "OK"
}

// Message reports a MESSAGE received, already answered 200.
type Message struct {
	From     string // sender URI
	FromUser string // user part of the sender URI
	FromName string // sender display name, unescaped
	To       string // the URI it was sent to
	Account  string // the id of the account it came to, as an incoming call's ("" the default)
	Text     string // UTF-8; "" for a delivery notification
	CallID   string // the request's Call-ID
	// Envelope is the CPIM envelope (RFC 3862) the text or a delivery notification
	// (RFC 5438) came in; nil for plain text.
	Envelope *imdn.Envelope
}

func (Message) isEvent() {}

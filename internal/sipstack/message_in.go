package sipstack

import (
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
)

// onMessage answers a MESSAGE (RFC 3428) that the source filter let through and
// reports its text as a Message event: 200 at once, for the text is then the
// phone's; 415 with Accept to a body other than plain text in UTF-8 (or ASCII),
// 413 to a text longer than MaxMessageText, 400 to an empty one or one that is
// not UTF-8. (A Require we lack was answered 420 by screen.)
func (s *Stack) onMessage(req *sip.Request, tx sip.ServerTransaction) {
	body := req.Body()
	code, reason := checkMessageBody(req.ContentType(), body)
	if code != 200 {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		if code == 415 {
			res.AppendHeader(sip.NewHeader("Accept", messageType))
		}
		_ = tx.Respond(res)
		return
	}
	if err := tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil)); err != nil {
		s.log.Info("MESSAGE answer not sent", "error", err)
	}
	from := req.From()
	m := Message{Text: string(body), CallID: req.CallID().Value()}
	if from != nil {
		m.From, m.FromUser, m.FromName = from.Address.String(), from.Address.User, unescapeDisplayName(from.DisplayName)
	}
	if to := req.To(); to != nil {
		m.To = to.Address.String()
	}
	s.emit(m)
}

// checkMessageBody is the answer a MESSAGE with this Content-Type (nil: none) and
// body gets: 200 when it is text we take.
func checkMessageBody(ct *sip.ContentTypeHeader, body []byte) (int, string) {
	if ct == nil {
		return 415, "Unsupported Media Type"
	}
	mt, params, err := mime.ParseMediaType(ct.Value())
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
	Text     string // UTF-8
	CallID   string // the request's Call-ID
}

func (Message) isEvent() {}

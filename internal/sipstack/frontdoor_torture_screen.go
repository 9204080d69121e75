package sipstack

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// screen answers, after sipgo's parse and before any handler, a request that RFC
// 3261 refuses for what it asks rather than for its syntax (RFC 4475 section 3.3):
//
//   - 420 Bad Extension with Unsupported, for a Require we lack, on every method
//     (section 8.2.2.3; an ACK and a CANCEL are never refused for it);
//   - 415 Unsupported Media Type with Accept, for an INVITE whose body is not SDP
//     (section 8.2.3);
//   - 406 Not Acceptable, for an INVITE whose Accept leaves out SDP, the only
//     body our answers carry (section 21.4.7).
//
// It reports whether it answered. An ACK is never answered.
func screen(req *sip.Request, tx sip.ServerTransaction) bool {
	if req.IsAck() || req.IsCancel() || tx == nil {
		return false
	}
	if refuseUnsupported(req, tx) {
		return true
	}
	if !req.IsInvite() {
		return false
	}
	if ct := req.ContentType(); len(req.Body()) > 0 && (ct == nil || !isSDP(ct.Value())) {
		res := sip.NewResponseFromRequest(req, 415, "Unsupported Media Type", nil)
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		_ = tx.Respond(res)
		return true
	}
	if accepts := req.GetHeaders("Accept"); len(accepts) > 0 && !acceptsSDP(accepts) {
		res := sip.NewResponseFromRequest(req, 406, "Not Acceptable", nil)
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		_ = tx.Respond(res)
		return true
	}
	return false
}

// isSDP reports a media type of application/sdp, parameters aside.
func isSDP(mediaType string) bool {
	t, _, _ := strings.Cut(mediaType, ";")
	return strings.EqualFold(strings.TrimSpace(t), "application/sdp")
}

// acceptsSDP reports whether Accept headers admit application/sdp (an empty
// Accept admits nothing but is read as none, as RFC 3261 section 20.1 allows).
func acceptsSDP(accepts []sip.Header) bool {
	for _, h := range accepts {
		if strings.TrimSpace(h.Value()) == "" {
			return true
		}
		for _, r := range strings.Split(h.Value(), ",") {
			t, _, _ := strings.Cut(r, ";")
			switch strings.ToLower(strings.TrimSpace(t)) {
			case "application/sdp", "application/*", "*/*":
				return true
			}
		}
	}
	return false
}

// fill2543 fills in what an INVITE of an RFC 2543 element may lack and sipgo's
// dialogs need: a missing Contact is the From's address, where RFC 2543 sends
// requests within the dialog. (A missing From tag the door made an empty one,
// frontdoor_torture_tidy.go.)
func fill2543(req *sip.Request) {
	if from := req.From(); from != nil && req.Contact() == nil {
		req.AppendHeader(&sip.ContactHeader{Address: from.Address})
	}
}

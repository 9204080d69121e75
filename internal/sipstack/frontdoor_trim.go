package sipstack

import (
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// A server transaction over UDP keeps its request, and the response, for 32 s after
// the answer (Timer J, RFC 3261 section 17.2.2), so that a retransmission gets the
// same answer again. A request answered at once needs nothing of itself kept but
// what names the transaction: answeredAtOnce trims the rest once it is answered, so
// that a flood of large OPTIONS holds a few kilobytes per request, not the
// request.

// kept reports whether a trimmed request keeps a header, by its full or compact
// name in lower case.
func kept(lower string) bool {
	switch lower {
	case "via", "v", "from", "f", "to", "t", "call-id", "i", "cseq":
		return true
	}
	return false
}

// answeredAtOnce wraps the handler of a request it answers before it returns.
func (s *Stack) answeredAtOnce(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		h(req, tx)
		if !req.IsInvite() && !req.IsAck() && !sip.IsReliable(req.Transport()) {
			trim(req)
		}
	}
}

// trim drops the body of req and every header it does not keep.
func trim(req *sip.Request) {
	var drop []string
	for _, h := range req.Headers() {
		if !kept(strings.ToLower(h.Name())) {
			drop = append(drop, h.Name())
		}
	}
	for _, name := range drop {
		req.RemoveHeader(name)
	}
	req.SetBody(nil)
}

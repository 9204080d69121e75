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

// keptHeaders are the headers a trimmed request keeps, by their full and compact names.
var keptHeaders = map[string]bool{
	"via": true, "v": true, "from": true, "f": true, "to": true, "t": true,
	"call-id": true, "i": true, "cseq": true,
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

// trim drops the body of req and every header but keptHeaders.
func trim(req *sip.Request) {
	var drop []string
	for _, h := range req.Headers() {
		if !keptHeaders[strings.ToLower(h.Name())] {
			drop = append(drop, h.Name())
		}
	}
	for _, name := range drop {
		req.RemoveHeader(name)
	}
	req.SetBody(nil)
}

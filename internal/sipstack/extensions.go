package sipstack

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// supportedExtensions are the SIP option tags we implement, the one list that our
// Supported header and the check of a request's Require read: 100rel (RFC 3262,
// prack.go and reliable.go), timer (RFC 4028, sessiontimer.go) and replaces (RFC
// 3891, replaces_in.go).
var supportedExtensions = []string{rel100, "timer", "replaces"}

// supportedHeader is our Supported header, nil while we support no extension.
func supportedHeader() sip.Header {
	return supportedOf(supportedExtensions)
}

// supportedInDialog is the Supported header of our requests inside a dialog
// (re-INVITE, UPDATE): without 100rel, for we PRACK only the provisional responses
// to our initial INVITE, and without replaces, which only an INVITE that creates a
// dialog can use.
func supportedInDialog() sip.Header {
	var tags []string
	for _, tag := range supportedExtensions {
		if tag != rel100 && tag != "replaces" {
			tags = append(tags, tag)
		}
	}
	return supportedOf(tags)
}

// supportedOf is a Supported header listing tags, nil for none.
func supportedOf(tags []string) sip.Header {
	if len(tags) == 0 {
		return nil
	}
	return sip.NewHeader("Supported", strings.Join(tags, ", "))
}

// unsupportedRequired lists the option tags of req's Require headers that we do not
// support (RFC 3261 section 8.2.2.3).
func unsupportedRequired(req *sip.Request) []string {
	var missing []string
	for _, h := range req.GetHeaders("Require") {
		for _, tag := range strings.Split(h.Value(), ",") {
			tag = strings.ToLower(strings.TrimSpace(tag))
			if tag != "" && !isSupported(tag) {
				missing = append(missing, tag)
			}
		}
	}
	return missing
}

func isSupported(tag string) bool {
	for _, s := range supportedExtensions {
		if strings.EqualFold(s, tag) {
			return true
		}
	}
	return false
}

// refuseUnsupported answers req with 420 Bad Extension and an Unsupported header
// naming the extensions it requires and we lack; it reports whether it did.
func refuseUnsupported(req *sip.Request, tx sip.ServerTransaction) bool {
	missing := unsupportedRequired(req)
	if len(missing) == 0 {
		return false
	}
	res := sip.NewResponseFromRequest(req, 420, "Bad Extension", nil)
	res.AppendHeader(sip.NewHeader("Unsupported", strings.Join(missing, ", ")))
	_ = tx.Respond(res)
	return true
}

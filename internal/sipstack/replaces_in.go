package sipstack

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// An INVITE with Replaces (RFC 3891) asks that the new call take the place of one of
// our confirmed calls: the transferee of an attended transfer calling us. The stack
// finds the call it names and reports the INVITE with it (Incoming.Replaces); the
// receiver answers the new call and ends the old one. One that names no confirmed
// call of ours gets 481 (section 3), one whose header does not parse 400.

// replacesTarget is the dialog a Replaces header names: the Call-ID, our tag
// (to-tag) and the caller's (from-tag), as the INVITE's sender put them.
type replacesTarget struct{ callID, toTag, fromTag string }

// parseReplaces reads "call-id;to-tag=a;from-tag=b" (other parameters ignored).
func parseReplaces(v string) (replacesTarget, bool) {
	parts := strings.Split(v, ";")
	r := replacesTarget{callID: strings.TrimSpace(parts[0])}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "to-tag":
			r.toTag = val
		case "from-tag":
			r.fromTag = val
		}
	}
	return r, r.callID != "" && r.toTag != "" && r.fromTag != ""
}

// replacedCall answers an INVITE whose Replaces names no confirmed call of ours (481)
// or does not parse (400), and returns false then; it returns the Call-ID of the
// call to replace ("" without a Replaces header) and true otherwise.
func (s *Stack) replacedCall(req *sip.Request, tx sip.ServerTransaction) (string, bool) {
	h := req.GetHeader("Replaces")
	if h == nil {
		return "", true
	}
	r, ok := parseReplaces(h.Value())
	if !ok {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Replaces", nil))
		return "", false
	}
	if c := s.callByDialog(r); c != nil {
		return c.callID, true
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	return "", false
}

// callByDialog finds the confirmed call whose dialog r names, with our tag as its
// to-tag.
func (s *Stack) callByDialog(r replacesTarget) *Call {
	s.mu.Lock()
	calls := make([]*Call, 0, len(s.calls))
	for _, c := range s.calls {
		calls = append(calls, c)
	}
	s.mu.Unlock()
	for _, c := range calls {
		if c.callID != r.callID || c.getState() != stateEstablished {
			continue
		}
		if local, remote := c.tags(); local == r.toTag && remote == r.fromTag {
			return c
		}
	}
	return nil
}

package sipstack

import (
	"slices"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// An INVITE with Replaces (RFC 3891) asks that the new call take the place of one of
// our calls: of a confirmed one when the transferee of an attended transfer calls
// us, of our own outgoing call while it rings when a pickup takes it (section 7.1: a
// PBX's directed pickup, or a colleague's phone). The stack finds the call it names
// and reports the INVITE with it (Incoming.Replaces); the receiver answers the new
// call and ends the old one, with BYE or CANCEL. One that names no call we may
// replace gets 481 (section 3): an early dialog we did not initiate (an incoming call
// still ringing here) is one of those. One marked early-only that names a confirmed
// call gets 486 (section 3: the call is no longer ringing, so it is not taken). One
// whose header does not parse gets 400.

// replacesTarget is the dialog a Replaces header names: the Call-ID, our tag
// (to-tag) and the other party's (from-tag), as the INVITE's sender put them, and
// whether it may replace an early dialog only (early-only).
type replacesTarget struct {
	callID, toTag, fromTag string
	earlyOnly              bool
}

// parseReplaces reads "call-id;to-tag=a;from-tag=b[;early-only]" (other parameters
// ignored).
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
		case "early-only":
			r.earlyOnly = true
		}
	}
	return r, r.callID != "" && r.toTag != "" && r.fromTag != ""
}

// ourDialog is one dialog of one of our calls as RFC 3891 section 3 looks at it.
type ourDialog struct {
	callID, local, remote string // its Call-ID, our tag and the other party's
	confirmed             bool   // a 2xx made it; else it is early
	initiated             bool   // we sent the INVITE that made it
}

// names reports whether r names d, our tag as its to-tag and the other party's as
// its from-tag, and d is one a Replaces may take: confirmed, or early and ours.
func (r replacesTarget) names(d ourDialog) bool {
	if r.callID != d.callID || r.toTag != d.local || r.fromTag != d.remote {
		return false
	}
	return d.confirmed || d.initiated
}

// replacedCall answers an INVITE whose Replaces names no call we may replace (481)
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
		if r.earlyOnly && c.confirmed(c.getState()) {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 486, "Busy Here", nil))
			return "", false
		}
		return c.callID, true
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	return "", false
}

// callByDialog finds the call with a dialog r names and may replace: among the calls
// in a dialog and our outgoing calls that ring.
func (s *Stack) callByDialog(r replacesTarget) *Call {
	s.mu.Lock()
	calls := make([]*Call, 0, len(s.calls))
	for _, c := range s.calls {
		calls = append(calls, c)
	}
	s.mu.Unlock()
	calls = append(calls, s.ringing.list()...)
	for _, c := range calls {
		if c.callID == r.callID && slices.ContainsFunc(c.dialogs(), r.names) {
			return c
		}
	}
	return nil
}

// dialogs are c's dialogs a Replaces may name: its confirmed one, or while our INVITE
// rings the early dialog of each party that answered it with a tag (forks each have
// their own). An incoming call still ringing has none: its early dialog is not ours.
// An incoming call whose 2xx is out is confirmed before its ACK comes (RFC 3261
// section 12.1.1): a transferee's INVITE with Replaces may overtake that ACK.
func (c *Call) dialogs() []ourDialog {
	switch st := c.getState(); {
	case c.confirmed(st):
		local, remote := c.tags()
		return []ourDialog{{callID: c.callID, local: local, remote: remote, confirmed: true, initiated: !c.incoming}}
	case st == stateInviting && !c.incoming:
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.uac == nil {
			return nil
		}
		local, _ := c.uac.InviteRequest.From().Params.Get("tag")
		out := make([]ourDialog, len(c.ringTags))
		for i, remote := range c.ringTags {
			out[i] = ourDialog{callID: c.callID, local: local, remote: remote, initiated: true}
		}
		return out
	}
	return nil
}

// confirmed reports whether c's dialog is confirmed in state st: a 2xx received, or
// ours sent.
func (c *Call) confirmed(st callState) bool {
	return st == stateEstablished || (st == stateAnswering && c.incoming)
}

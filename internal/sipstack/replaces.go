package sipstack

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Attended transfer (RFC 3891): the REFER of one call names, in its Refer-To, the
// party of another call of ours with a Replaces header of that call's dialog, so
// that the peer's INVITE to that party replaces our call with it.

// isReplacesHeader reports whether headers, what follows "?" in a Refer-To, is the
// one embedded header it may carry: Replaces, its value escaped (ReplacingTarget),
// so made of letters, digits and %._~!*'()+- only. (Plain code, not a regexp: a
// package-level regexp is compiled at every start of the engine.)
func isReplacesHeader(headers string) bool {
	value, ok := strings.CutPrefix(headers, "Replaces=")
	return ok && value != "" && strings.Trim(value, escapedChars) == ""
}

// escapedChars are the bytes of a Replaces value escaped by url.QueryEscape.
const escapedChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%._~!*'()+-"

// ReplacingTarget is the Refer-To URI that hands c's peer over: its address with a
// Replaces header naming c's dialog as the peer sees it (to-tag the peer's tag,
// from-tag ours), e.g. "sip:carol@example.com?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2".
func (c *Call) ReplacingTarget() (string, error) {
	if st := c.getState(); st != stateEstablished {
		return "", stateError(st)
	}
	local, remote := c.tags()
	if local == "" || remote == "" {
		return "", fmt.Errorf("%w: the dialog has no tags", ErrCallState)
	}
	peer := c.remoteURI()
	peer.UriParams, peer.Headers = nil, nil
	value := fmt.Sprintf("%s;to-tag=%s;from-tag=%s", c.callID, remote, local)
	return peer.String() + "?Replaces=" + url.QueryEscape(value), nil
}

// tags returns our tag and the peer's in c's dialog.
func (c *Call) tags() (local, remote string) {
	if c.incoming {
		remote, _ = c.uas.InviteRequest.From().Params.Get("tag")
		if res := c.uas.InviteResponse; res != nil {
			local, _ = res.To().Params.Get("tag")
		}
		return local, remote
	}
	local, _ = c.uac.InviteRequest.From().Params.Get("tag")
	if res := c.uac.InviteResponse; res != nil {
		remote, _ = res.To().Params.Get("tag")
	}
	return local, remote
}

// remoteURI is the peer's address of record in c's dialog: the To of our INVITE,
// or the From of the peer's.
func (c *Call) remoteURI() *sip.Uri {
	if c.incoming {
		return c.uas.InviteRequest.From().Address.Clone()
	}
	return c.uac.InviteRequest.To().Address.Clone()
}

package sipstack

import (
	"context"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// A re-INVITE requiring 100rel is answered as any re-INVITE, with its 200 at once:
// RFC 3262 section 3 asks only that the provisional responses we send to it be
// reliable, and we send none but 100, which never is. It is not refused with 420,
// and the 200 carries no RSeq.
func TestReInviteRequiring100relIsAnsweredAtOnce(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, sess := answeredIncoming(t, ctx, p, st, rec)
	res := reInviteFromPeer(ctx, t, sess, sip.NewHeader("Require", "100rel"), sip.NewHeader("Supported", "100rel"))
	checkHeaders(t, "the re-INVITE's 200", res, map[string]string{"RSeq": "", "Require": ""})
	expectCall(t, rec, c, Updated, 0)
}

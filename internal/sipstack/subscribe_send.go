package sipstack

import (
	"context"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// sendWithAuth sends req out of any INVITE dialog and returns its final answer,
// answering a 401/407 challenge with acc's credentials as a REGISTER does: once,
// and again only when the server says our nonce went stale.
func (s *Stack) sendWithAuth(ctx context.Context, cl *sipgo.Client, req *sip.Request, acc Account) (*sip.Response, error) {
	res, err := answered(cl.Do(ctx, req))
	for tries := 0; err == nil && acc.Password != "" && challenged(res) && (tries == 0 || staleNonce(res)); tries++ {
		if tries == maxChallenges {
			break
		}
		res, err = answered(cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: acc.authUser(), Password: acc.Password}))
	}
	return res, err
}

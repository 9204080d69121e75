package sipstack

import (
	"context"
	"errors"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// maxChallenges is how many 401/407 answers to one INVITE are met with credentials:
// the second allows for a stale nonce.
const maxChallenges = 2

// errNextResponse ends sipgo's WaitAnswer after each provisional response. WaitAnswer
// gives up after ten responses, so a ring group sending a 180 for each phone it rings
// would end our call; called again for each response, it never reaches its limit.
var errNextResponse = errors.New("sipstack: next response")

// awaitAnswer waits for the final response to our INVITE, answering digest challenges,
// reporting provisional responses (onProvisional) however many come, and sending no
// CANCEL of its own (cancel.go does, by RFC 3261 section 9.1). It returns nil on a
// 2xx, a *sipgo.ErrDialogResponse on a failure response, or the transaction's error.
// The wait is abandoned, without CANCEL, when the stack closes or abandon is called
// (a CANCEL answered by no final response).
func (c *Call) awaitAnswer(sess *sipgo.DialogClientSession, acc Account) error {
	ctx, abandon := context.WithCancelCause(context.Background())
	defer abandon(nil)
	c.mu.Lock()
	c.abandon = func() { abandon(sipgo.WaitAnswerForceCancelErr) }
	c.mu.Unlock()
	stop := context.AfterFunc(c.st.ctx, c.abandonInvite)
	defer stop()

	challenges := 0
	opts := sipgo.AnswerOptions{
		Username: acc.authUser(),
		Password: acc.Password,
		OnResponse: func(res *sip.Response) error {
			switch {
			case res.IsProvisional():
				if c.takeProvisional(sess, res) {
					c.onProvisional(res)
				}
				return errNextResponse
			case res.StatusCode == 401 || res.StatusCode == 407:
				if challenges++; challenges > maxChallenges {
					return &sipgo.ErrDialogResponse{Res: res}
				}
			}
			return nil
		},
	}
	for {
		if err := sess.WaitAnswer(ctx, opts); !errors.Is(err, errNextResponse) {
			return err
		}
	}
}

// abandonInvite stops waiting for the INVITE's final response and ends its
// transaction, without CANCEL.
func (c *Call) abandonInvite() {
	c.mu.Lock()
	abandon := c.abandon
	c.mu.Unlock()
	if abandon != nil {
		abandon()
	}
}

// onProvisional notes that the INVITE reached the peer (a CANCEL may go now), sends
// the CANCEL a hangup left waiting for it, and reports 180/183 and other non-100
// provisional responses.
func (c *Call) onProvisional(res *sip.Response) {
	c.mu.Lock()
	c.provisional = true
	cancelNow := c.state == stateCancelling && !c.cancelSent
	c.cancelSent = c.cancelSent || cancelNow
	c.mu.Unlock()
	if cancelNow {
		go c.sendCancel()
	}
	c.noteRinging(res)
	if res.StatusCode > 100 {
		c.emit(Provisional, res.StatusCode, res.Reason, res.Body())
	}
}

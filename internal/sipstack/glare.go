package sipstack

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// maxGlareRetries is how many times one re-INVITE of ours is sent again after a 491.
const maxGlareRetries = 2

// glareRetry runs send, one re-INVITE exchange of ours that renders its offer anew,
// and again after the delay of RFC 3261 section 14.1 each time the peer answers 491
// Request Pending (its own re-INVITE crossed ours), at most maxGlareRetries times.
// The call is not re-INVITING while it waits, so the peer's retry, which the delays
// let come first, is answered, and ours then offers from where that one left the
// call. The delay runs on the stack's Clock.
func (c *Call) glareRetry(ctx context.Context, send func() ([]byte, int, error)) ([]byte, int, error) {
	for retries := 0; ; retries++ {
		answer, code, err := send()
		var se *StatusError
		if retries == maxGlareRetries || !errors.As(err, &se) || se.Code != 491 {
			return answer, code, err
		}
		d := glareDelay(!c.incoming)
		c.log.Info("re-INVITE crossed the peer's; sending it again", "after", d)
		select {
		case <-c.st.clock.After(d):
		case <-ctx.Done():
			return nil, 0, err
		case <-c.st.ctx.Done():
			return nil, 0, err
		}
	}
}

// glareDelay is the wait before a re-INVITE answered 491 is sent again (RFC 3261
// section 14.1): 2.1 to 4 s, in steps of 10 ms, when we own the Call-ID (we placed
// the call), else 0 to 2 s, so that the two sides' retries do not cross again.
func glareDelay(ownCallID bool) time.Duration {
	if ownCallID {
		return 2100*time.Millisecond + time.Duration(rand.IntN(191))*10*time.Millisecond
	}
	return time.Duration(rand.IntN(201)) * 10 * time.Millisecond
}

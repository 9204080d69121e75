package sipstack

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// sessionTimer is the running session timer of an established call: its terms,
// guarded by the call's mutex, and the signals of its goroutine.
type sessionTimer struct {
	sessionTerms
	restart  chan struct{} // a refresh was answered: the wait starts again (buffered)
	stop     chan struct{} // closed when the call ends
	stopOnce sync.Once
}

func newSessionTimer(t *sessionTerms) *sessionTimer {
	if t == nil {
		return nil
	}
	return &sessionTimer{sessionTerms: *t, restart: make(chan struct{}, 1), stop: make(chan struct{})}
}

// startSessionTimer runs the call's session timer, if it negotiated one, once the
// call is established. Its waits run on the stack's Clock.
func (c *Call) startSessionTimer() {
	c.mu.Lock()
	t := c.timer
	c.mu.Unlock()
	if t == nil {
		return
	}
	c.log.Info("session timer", "interval", t.interval, "we refresh", t.weRefresh, "by UPDATE", t.peerUpdate)
	c.st.background(func(ctx context.Context) { c.runSessionTimer(ctx, t) })
}

// stopSessionTimer ends the session timer of a call that ended.
func (c *Call) stopSessionTimer() {
	c.mu.Lock()
	t := c.timer
	c.mu.Unlock()
	if t != nil {
		t.stopOnce.Do(func() { close(t.stop) })
	}
}

// runSessionTimer is the session timer: as the refresher it refreshes every half
// interval; otherwise, or when a refresh of ours failed, it reports SessionExpired
// when no refresh came in time (RFC 4028 section 10), and the phone ends the call
// with a BYE. Every refresh answered, either way, starts the wait again.
func (c *Call) runSessionTimer(ctx context.Context, t *sessionTimer) {
	failed := false // our refresh failed: wait for the end of the session
	for {
		c.mu.Lock()
		terms := t.sessionTerms
		c.mu.Unlock()
		wait := terms.expireAfter()
		switch {
		case failed:
			wait -= terms.refreshAfter()
		case terms.weRefresh:
			wait = terms.refreshAfter()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.stop:
			return
		case <-t.restart:
			failed = false
			continue
		case <-c.st.clock.After(wait):
		}
		select {
		case <-t.stop: // stopped as the wait ended: the stop wins
			return
		default:
		}
		if failed || !terms.weRefresh {
			c.log.Info("session expired: no refresh came", "interval", terms.interval)
			c.emit(SessionExpired, 0, "session expired", nil)
			return
		}
		err := c.refreshSession(ctx, t)
		for tries := 0; tries < maxIntervalRetries && c.raiseInterval(t, err); tries++ {
			c.log.Info("session refresh: interval too small; asking for the peer's Min-SE", "error", err)
			err = c.refreshSession(ctx, t)
		}
		if err == nil {
			select {
			case <-t.restart: // our refresh's own; the wait starts again below
			default:
			}
			continue
		}
		c.log.Info("session refresh failed", "error", err)
		if refreshFatal(err) {
			c.emit(SessionExpired, 0, "session refresh failed: "+err.Error(), nil)
			return
		}
		failed = true
	}
}

// refreshFatal reports whether a failed refresh ends the session at once: it timed
// out, found no dialog (481) or no transport (RFC 4028 section 10). After another
// refusal the session lasts until it expires.
func refreshFatal(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code == 408 || se.Code == 481
	}
	return !errors.Is(err, ErrCallState) && !errors.Is(err, ErrCallEnded)
}

// raiseInterval takes err, the failure of our refresh, when it is a 422 Session
// Interval Too Small naming a Min-SE above the interval: the interval becomes that
// Min-SE, which the next refresh also names (RFC 4028 section 7.4), and it reports
// true, to send the refresh again at once.
func (c *Call) raiseInterval(t *sessionTimer, err error) bool {
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 422 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if se.MinSE <= t.interval {
		return false
	}
	t.interval, t.floor = se.MinSE, se.MinSE
	return true
}

// refreshSession sends one session refresh of timer t: an UPDATE without SDP when
// the peer allows UPDATE, else a re-INVITE offering our current SDP again,
// unchanged, version included (RFC 3264 section 8).
func (c *Call) refreshSession(ctx context.Context, t *sessionTimer) error {
	c.mu.Lock()
	byUpdate := t.peerUpdate
	c.mu.Unlock()
	if byUpdate {
		return c.sendUpdate(ctx)
	}
	_, _, err := c.glareRetry(ctx, func() ([]byte, int, error) {
		body, err := c.beginRefresh()
		if err != nil {
			return nil, 0, err
		}
		return c.reInvite(ctx, body, c.inDialog, func(answer []byte) {
			if len(answer) > 0 {
				c.sdp.setRemote(answer)
			}
		})
	})
	return err
}

// beginRefresh checks that a re-INVITE may go now, marks the call as re-INVITING
// and returns our last SDP.
func (c *Call) beginRefresh() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.reInviteAllowed(); err != nil {
		return nil, err
	}
	if !c.sdp.ok {
		return nil, fmt.Errorf("%w: no SDP of ours to refresh with", ErrCallState)
	}
	c.reinviting = true
	return c.sdp.body, nil
}

// refreshTerms adds the session timer's terms to a request of ours in the dialog
// (every re-INVITE and UPDATE refreshes the session), if the call has one.
func (c *Call) refreshTerms(req *sip.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.requestHeaders(req)
	}
}

// refreshAnswered takes the 2xx to a request of ours in the dialog as a refresh:
// the terms it states, and the wait starts again.
func (c *Call) refreshAnswered(res *sip.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.takeAnswer(res)
		c.timer.restartWait()
	}
}

// refreshedByPeer takes a request of the peer in the dialog (a re-INVITE or an
// UPDATE) that res, our 2xx, accepts as a refresh: the terms it states, ours in
// res, and the wait starts again. Each refresh negotiates the timer anew (RFC 4028
// section 9): one that asks for a timer the call lacks starts it, with the terms
// an INVITE of the peer's would set; one without Session-Expires, when the peer
// was the refresher, turns the timer off (when we refresh, our 2xx keeps the terms,
// which the UAS may insert whatever the request says). Call it before res is sent;
// when it reports a timer started, startSessionTimer after.
func (c *Call) refreshedByPeer(req *sip.Request, res *sip.Response) (started bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.timer
	_, _, asked := sessionExpiresOf(req)
	switch {
	case t == nil && asked && c.state == stateEstablished:
		c.timer = newSessionTimer(offeredTerms(req))
		c.timer.answerHeaders(res)
		c.log.Info("session timer asked for by the peer")
		return true
	case t == nil:
	case !asked && !t.weRefresh:
		t.stopOnce.Do(func() { close(t.stop) })
		c.timer = nil
		c.log.Info("session timer turned off by the peer")
	default:
		t.takeRequest(req)
		t.answerHeaders(res)
		t.restartWait()
	}
	return false
}

// restartWait tells the timer's goroutine that a refresh was answered.
func (t *sessionTimer) restartWait() {
	select {
	case t.restart <- struct{}{}:
	default:
	}
}

package sipstack

import (
	"strconv"
	"strings"
	"time"
)

// What a subscription does after each SUBSCRIBE or terminating NOTIFY (RFC 6665) is
// decided here, by pure functions the loop in subscribe.go follows.

const (
	// defaultSubExpires is the duration our SUBSCRIBEs ask for when the caller
	// names none: an hour, as RFC 3842 and RFC 3856 suggest.
	defaultSubExpires = 3600
	// subRefreshMargin is how long before its expiry a subscription is refreshed,
	// at most; a short one is refreshed at half its life.
	subRefreshMargin = 32 * time.Second
	// subBackoffFirst and subBackoffMax bound the wait before a new SUBSCRIBE after
	// a failure: it doubles from the first to the last.
	subBackoffFirst = 2 * time.Second
	subBackoffMax   = 10 * time.Minute
)

// subOutcome is the end of one SUBSCRIBE exchange, or a NOTIFY that ended the
// subscription.
type subOutcome struct {
	Code       int           // the final status; 0 for a transport failure
	Granted    int           // the Expires of a 2xx
	RetryAfter time.Duration // a Retry-After, or the retry-after of a terminated state
	Terminated string        // the reason of a NOTIFY's "terminated" state; "" for a SUBSCRIBE's answer
	InDialog   bool          // the SUBSCRIBE was a refresh in an established dialog
}

// subStep is what follows an outcome.
type subStep struct {
	Active    bool          // the subscription stands, refreshed after Wait
	GiveUp    bool          // no more SUBSCRIBEs: the notifier refused the resource for good
	NewDialog bool          // the next SUBSCRIBE starts a new dialog
	Wait      time.Duration // before the next SUBSCRIBE
	Failures  int           // failures in a row, for the backoff
}

// nextSubStep decides what follows o, after failures failed attempts in a row;
// jitter in [0, 1) spreads the retries of many subscriptions.
func nextSubStep(o subOutcome, failures int, jitter float64) subStep {
	switch {
	case o.Terminated != "":
		return afterTerminated(o, failures, jitter)
	case o.Code >= 200 && o.Code < 300:
		return subStep{Active: true, Wait: refreshAfter(o.Granted)}
	case o.Code == 489 || o.Code == 403 || o.Code == 404 || o.Code == 603 || o.Code == 405 || o.Code == 501:
		// Bad Event, the resource refused for good (RFC 6665 §4.1.2.1), or a server
		// (or the phone it forwarded us to) that takes no SUBSCRIBE at all.
		return subStep{GiveUp: true, NewDialog: true, Failures: failures + 1}
	}
	// 481 (the notifier forgot us), a timeout, a transport failure or any other
	// error: a new dialog, after a backoff.
	failures++
	wait := backoffWait(failures, jitter)
	if o.RetryAfter > 0 {
		wait = min(o.RetryAfter, subBackoffMax)
	}
	return subStep{NewDialog: true, Wait: wait, Failures: failures}
}

// afterTerminated follows a NOTIFY whose Subscription-State ended the subscription
// (RFC 6665 §4.1.3): deactivated and timeout ask for a new SUBSCRIBE at once,
// probation and giveup after retry-after, rejected, noresource and invariant for
// none. An unknown reason is retried after a backoff.
func afterTerminated(o subOutcome, failures int, jitter float64) subStep {
	switch o.Terminated {
	case "deactivated", "timeout":
		return subStep{NewDialog: true}
	case "rejected", "noresource", "invariant":
		return subStep{GiveUp: true, NewDialog: true, Failures: failures + 1}
	}
	failures++
	wait := backoffWait(failures, jitter)
	if o.RetryAfter > 0 {
		wait = min(o.RetryAfter, subBackoffMax)
	}
	return subStep{NewDialog: true, Wait: wait, Failures: failures}
}

// refreshAfter is the wait before refreshing a subscription granted for secs.
func refreshAfter(secs int) time.Duration {
	life := time.Duration(secs) * time.Second
	if life <= 2*subRefreshMargin {
		return max(life/2, time.Second)
	}
	return life - subRefreshMargin
}

// backoffWait is the wait after the n-th failure in a row: a bound doubling from
// subBackoffFirst to subBackoffMax, of which jitter takes away up to half.
func backoffWait(n int, jitter float64) time.Duration {
	bound := subBackoffFirst
	for i := 1; i < n && bound < subBackoffMax; i++ {
		bound *= 2
	}
	bound = min(bound, subBackoffMax)
	return bound - time.Duration(float64(bound)/2*jitter)
}

// subscriptionState reads a Subscription-State header (RFC 6665 §8.2.3): the state,
// the reason of a terminated one, its expires and retry-after parameters.
func subscriptionState(v string) (state, reason string, expires int, retry time.Duration) {
	parts := strings.Split(v, ";")
	state = strings.ToLower(strings.TrimSpace(parts[0]))
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "reason":
			reason = strings.ToLower(val)
		case "expires":
			expires, _ = strconv.Atoi(val)
		case "retry-after":
			if n, err := strconv.Atoi(val); err == nil && n > 0 {
				retry = time.Duration(n) * time.Second
			}
		}
	}
	return state, reason, expires, retry
}

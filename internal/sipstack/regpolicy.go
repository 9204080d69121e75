package sipstack

import "time"

// Registration timing policy.
const (
	refreshPercent    = 85              // refresh at 85% of the granted expiry
	firstBackoff      = 2 * time.Second // first retry after a failure
	maxBackoff        = 5 * time.Minute // retry delay cap
	unregisterTimeout = 3 * time.Second // bound on the Expires: 0 sent by Close
	maxRetryAfter     = time.Hour       // the longest Retry-After of a 500 or 503 we follow
	silentJitter      = 20              // a silent registrar's retry comes 0 to 20 % early
)

// regOutcome is the result of one REGISTER exchange (after authentication).
type regOutcome struct {
	Code       int    // final status, 0 when no response came
	Reason     string // reason phrase or error text
	Granted    int    // expiry granted by a 2xx, 0 if it named none
	MinExpires int    // Min-Expires of a 423
	Rebind     bool   // a 2xx showed a public address not yet in our Contact
	// RetryAfter is the Retry-After of a 500 or 503 (RFC 3261 section 21.5.4), 0 if none.
	RetryAfter time.Duration
}

// silent reports an exchange that got no answer: a transport error, or a timeout
// (ours, or a 408 from a proxy whose registrar did not answer it).
func (o regOutcome) silent() bool { return o.Code == 0 || o.Code == 408 }

// regStep is what the loop does after an outcome.
type regStep struct {
	Event     RegEvent
	Emit      bool          // false for a silent retry (423 with a usable Min-Expires)
	Wait      time.Duration // before the next REGISTER
	Requested int           // expiry to ask for next time
	Failures  int           // consecutive failures so far
}

// nextRegStep is the registration policy as a pure function: refresh at
// 85% of the granted expiry, register again at once when the registrar showed a
// public address to put in Contact, follow 423 Min-Expires at once, and back off
// exponentially (2 s, 4 s, ... 5 min) after any other failure, or wait the
// Retry-After of a 500 or 503 when it names one (up to an hour).
func nextRegStep(o regOutcome, requested, failures int) regStep {
	switch {
	case o.Code >= 200 && o.Code < 300 && o.Rebind:
		return regStep{Requested: requested} // at once, silently, with the public Contact
	case o.Code >= 200 && o.Code < 300:
		granted := o.Granted
		if granted <= 0 {
			granted = requested
		}
		wait := time.Duration(granted) * time.Second * refreshPercent / 100
		return regStep{
			Event:     RegEvent{State: RegRegistered, Code: o.Code, Reason: o.Reason, Expires: granted},
			Emit:      true,
			Wait:      max(wait, time.Second),
			Requested: requested,
		}
	case o.Code == 423 && o.MinExpires > requested:
		return regStep{Requested: o.MinExpires, Failures: failures}
	}
	failures++
	wait := backoff(failures)
	if (o.Code == 500 || o.Code == 503) && o.RetryAfter > 0 {
		wait = min(o.RetryAfter, maxRetryAfter)
	}
	return regStep{
		Event:     RegEvent{State: RegFailed, Code: o.Code, Reason: o.Reason, Retry: wait},
		Emit:      true,
		Wait:      wait,
		Requested: requested,
		Failures:  failures,
	}
}

// backoff returns the retry delay after n consecutive failures (n >= 1).
func backoff(n int) time.Duration {
	d := firstBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// jitter spreads the retries after a registrar that did not answer, so that the
// phones of an office whose registrar went down do not come back at the same
// instant: with r in [0, 1), the wait becomes 0 to silentJitter percent shorter,
// never longer than the backoff. Other steps are returned unchanged: a status is
// the registrar's own word, and a Retry-After is followed as it is.
func jitter(step regStep, o regOutcome, r float64) regStep {
	if step.Event.State != RegFailed || !o.silent() {
		return step
	}
	step.Wait -= time.Duration(float64(step.Wait) * silentJitter / 100 * r)
	step.Event.Retry = step.Wait
	return step
}

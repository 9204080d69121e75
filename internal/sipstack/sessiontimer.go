package sipstack

import (
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Session timers (RFC 4028): a call that negotiated one is refreshed, by the side
// named the refresher, with a re-INVITE or an UPDATE every half interval; the other
// side ends a call whose refresh does not come in time. This file holds the terms
// and the headers that carry them; sessiontimer_run.go runs the timer.

// The defaults of Config.SessionExpires and Config.MinSE.
const (
	defaultSessionExpires = 1800 * time.Second
	defaultMinSE          = 90 * time.Second // RFC 4028 section 4: the floor
)

// maxIntervalRetries is how many 422 answers one outgoing INVITE follows.
const maxIntervalRetries = 2

// Values of Session-Expires' refresher parameter: the side that refreshes is the
// client (uac) or the server (uas) of the transaction that carries it.
const (
	refresherUAC = "uac"
	refresherUAS = "uas"
)

// sessionTerms are the terms of a call's session timer.
type sessionTerms struct {
	interval   time.Duration // the session interval, Session-Expires
	weRefresh  bool          // we are the refresher
	peerTimer  bool          // the peer supports the timer extension: our 2xx Require it
	peerUpdate bool          // the peer's Allow lists UPDATE: our refreshes are UPDATEs
	floor      time.Duration // the Min-SE a 422 to our refresh named, 0 before one
}

// sessionExpires is the interval our INVITEs ask for.
func (s *Stack) sessionExpires() time.Duration {
	if s.cfg.SessionExpires > 0 {
		return s.cfg.SessionExpires
	}
	return defaultSessionExpires
}

// minSE is the shortest interval we accept.
func (s *Stack) minSE() time.Duration {
	if s.cfg.MinSE > 0 {
		return s.cfg.MinSE
	}
	return defaultMinSE
}

// seconds formats d as a header's delta-seconds.
func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// headerSource is a request or a response.
type headerSource interface {
	GetHeader(name string) sip.Header
	GetHeaders(name string) []sip.Header
}

// sessionExpiresOf reads m's Session-Expires (compact form x): the interval, and
// the refresher parameter in lower case, "" when absent.
func sessionExpiresOf(m headerSource) (interval time.Duration, refresher string, ok bool) {
	h := m.GetHeader("Session-Expires")
	if h == nil {
		h = m.GetHeader("x")
	}
	if h == nil {
		return 0, "", false
	}
	value, params, _ := strings.Cut(h.Value(), ";")
	secs, err := strconv.ParseUint(strings.TrimSpace(value), 10, 31)
	if err != nil || secs == 0 {
		return 0, "", false
	}
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(v))
		}
	}
	return time.Duration(secs) * time.Second, refresher, true
}

// minSEOf reads m's Min-SE.
func minSEOf(m headerSource) (time.Duration, bool) {
	h := m.GetHeader("Min-SE")
	if h == nil {
		return 0, false
	}
	value, _, _ := strings.Cut(h.Value(), ";")
	secs, err := strconv.ParseUint(strings.TrimSpace(value), 10, 31)
	if err != nil || secs == 0 {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// lists reports whether one of m's headers named in names lists token, a
// comma-separated value compared without regard to case.
func lists(m headerSource, token string, names ...string) bool {
	for _, name := range names {
		for _, h := range m.GetHeaders(name) {
			for _, v := range strings.Split(h.Value(), ",") {
				if strings.EqualFold(strings.TrimSpace(v), token) {
					return true
				}
			}
		}
	}
	return false
}

// supportsTimer reports whether m's sender supports the timer extension.
func supportsTimer(m headerSource) bool { return lists(m, "timer", "Supported", "k", "Require") }

// allowsUpdate reports whether m's sender accepts UPDATE.
func allowsUpdate(m headerSource) bool { return lists(m, "UPDATE", "Allow") }

// refuseBriefSession answers req 422 Session Interval Too Small, with our Min-SE,
// when its Session-Expires is below it (RFC 4028 section 9), and reports whether it
// did.
func (s *Stack) refuseBriefSession(req *sip.Request, tx sip.ServerTransaction) bool {
	interval, _, ok := sessionExpiresOf(req)
	if !ok || interval >= s.minSE() {
		return false
	}
	res := sip.NewResponseFromRequest(req, 422, "Session Interval Too Small", nil)
	res.AppendHeader(sip.NewHeader("Min-SE", seconds(s.minSE())))
	_ = tx.Respond(res)
	return true
}

// offerTerms adds to our INVITE the session interval we ask for, unless the
// session timer is off, and our Min-SE; Supported: timer is already there. Who
// refreshes is the peer's choice.
func (s *Stack) offerTerms(req *sip.Request) {
	if !s.cfg.SessionTimerOff {
		req.AppendHeader(sip.NewHeader("Session-Expires", seconds(s.sessionExpires())))
	}
	req.AppendHeader(sip.NewHeader("Min-SE", seconds(s.minSE())))
}

// intervalRetry is the INVITE that follows prev answered 422 Session Interval Too
// Small (RFC 4028 section 7.4): prev again, in a new transaction, asking for the
// answer's Min-SE. ok is false when the answer names no larger interval.
func (s *Stack) intervalRetry(prev *sip.Request, res *sip.Response) (*sip.Request, bool) {
	asked, _, _ := sessionExpiresOf(prev)
	least, ok := minSEOf(res)
	if !ok || least <= asked {
		return nil, false
	}
	req := s.redirectedInvite(prev, prev.Recipient)
	req.RemoveHeader("Session-Expires")
	req.RemoveHeader("x")
	req.RemoveHeader("Min-SE")
	req.AppendHeader(sip.NewHeader("Session-Expires", seconds(least)))
	req.AppendHeader(sip.NewHeader("Min-SE", seconds(least)))
	return req, true
}

// answeredTerms are the terms the 2xx res to our INVITE sets, nil when it names no
// Session-Expires (then there is no session timer, RFC 4028 section 7.2). Without
// a refresher parameter, we, its client, refresh.
func answeredTerms(res *sip.Response) *sessionTerms {
	interval, refresher, ok := sessionExpiresOf(res)
	if !ok {
		return nil
	}
	return &sessionTerms{interval: interval, weRefresh: refresher != refresherUAS,
		peerTimer: supportsTimer(res), peerUpdate: allowsUpdate(res)}
}

// offeredTerms are the terms our 2xx to the peer's INVITE req sets, nil when req
// asks for none. We take the caller's interval and its choice of refresher; a
// caller that does not support timers (a proxy asked for one) cannot refresh, nor
// one that leaves the choice to us: we do (RFC 4028 section 9).
func offeredTerms(req *sip.Request) *sessionTerms {
	interval, refresher, ok := sessionExpiresOf(req)
	if !ok {
		return nil
	}
	peerTimer := supportsTimer(req)
	return &sessionTerms{interval: interval, weRefresh: !peerTimer || refresher != refresherUAC,
		peerTimer: peerTimer, peerUpdate: allowsUpdate(req)}
}

// answerHeaders adds the terms to res, our 2xx to a request of the peer: the
// interval, who refreshes, and Require: timer when the peer supports it.
func (t *sessionTerms) answerHeaders(res *sip.Response) {
	refresher := refresherUAC
	if t.weRefresh {
		refresher = refresherUAS
	}
	res.AppendHeader(sip.NewHeader("Session-Expires", seconds(t.interval)+";refresher="+refresher))
	if t.peerTimer {
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
}

// requestHeaders adds the terms to req, a request of ours in the dialog, which
// refreshes the session: the interval, who refreshes, and Supported: timer.
func (t *sessionTerms) requestHeaders(req *sip.Request) {
	refresher := refresherUAS
	if t.weRefresh {
		refresher = refresherUAC
	}
	req.AppendHeader(sip.NewHeader("Session-Expires", seconds(t.interval)+";refresher="+refresher))
	if t.floor > 0 {
		req.AppendHeader(sip.NewHeader("Min-SE", seconds(t.floor))) // RFC 4028 section 7.4
	}
	if h := supportedInDialog(); h != nil {
		req.AppendHeader(h)
	}
}

// takeRequest updates the terms from a refresh request of the peer (its client):
// its interval and its choice of refresher, where it states them.
func (t *sessionTerms) takeRequest(req *sip.Request) {
	interval, refresher, ok := sessionExpiresOf(req)
	if ok {
		t.interval = interval
	}
	switch refresher {
	case refresherUAC:
		t.weRefresh = false
	case refresherUAS:
		t.weRefresh = true
	}
	t.peerUpdate = t.peerUpdate || allowsUpdate(req)
}

// takeAnswer updates the terms from the 2xx to a refresh request of ours. A 2xx
// without Session-Expires (a peer that does not support timers) leaves them.
func (t *sessionTerms) takeAnswer(res *sip.Response) {
	if interval, refresher, ok := sessionExpiresOf(res); ok {
		t.interval = interval
		t.weRefresh = refresher != refresherUAS
	}
}

// refreshAfter is when the refresher refreshes: half the interval (RFC 4028
// section 10).
func (t *sessionTerms) refreshAfter() time.Duration { return t.interval / 2 }

// expireAfter is when the other side gives up on a refresh: the interval less the
// smaller of 32 s and a third of it (RFC 4028 section 10), so that its BYE goes
// before the session would expire.
func (t *sessionTerms) expireAfter() time.Duration {
	return t.interval - min(32*time.Second, t.interval/3)
}

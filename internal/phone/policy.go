package phone

import (
	"strconv"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// The call policies decide, in one place, what happens to an INVITE before the
// user sees it ring: refused (do not disturb, the block list, reject when busy),
// forwarded with 302 (always, on busy), or rung, perhaps with a ring timeout
// (forward on no answer) and perhaps answered by itself (auto-answer by
// setting, or by the caller's request where a setting allows it). decide is a
// pure function of the settings and the facts of the call; onIncoming acts on
// its verdict (policyact.go).

// Policies are the settings the policies read (settings.set, docs/configuration.md).
type Policies struct {
	DND               bool
	DNDCode           int      // what DND answers: 486 (api.DNDBusy) or 603 (api.DNDDecline)
	BlockList         []string // callers refused with 603: users, numbers or URIs
	RejectWhenBusy    bool     // 486 while another call is up
	ForwardAlways     string   // the target every call is forwarded to; "" = off
	ForwardOnBusy     string   // the target calls go to while another call is up
	ForwardOnNoAnswer string   // the target an unanswered call goes to after the ring timeout
	RingTimeout       time.Duration
	AutoAnswerHeaders bool // honour a caller's request to be answered at once
}

// noAnswerDefault is how long a call rings before it is forwarded on no answer
// when no ring timeout is set: Mizu's callforwardonnoanswer waits as long.
const noAnswerDefault = 15 * time.Second

// arrival is what the policies know of an incoming call.
type arrival struct {
	from     string   // the caller's URI
	fromUser string   // its user part
	busy     bool     // another call is up (answered)
	hints    []string // the INVITE's Call-Info, Answer-Mode and Alert-Info, "Name: value"
}

// outcome is what becomes of an incoming call.
type outcome uint8

const (
	ringIt    outcome = iota // the user sees it ring
	refuseIt                 // a final error response, cause refused
	forwardIt                // 302 to the target, cause forwarded
)

// verdict is decide's answer.
type verdict struct {
	outcome outcome
	code    int    // refuseIt: the SIP status to send
	reason  string // refuseIt: the policy, an api.Refused* name
	target  string // forwardIt: where to; ringIt: where to after noAnswer ("" = nowhere)
	// ringIt: how long it may ring before it is forwarded to target, or refused
	// without one; 0 = as long as the caller keeps it ringing.
	noAnswer time.Duration
	// ringIt: answer it by itself after answerAfter.
	autoAnswer  bool
	answerAfter time.Duration
}

// decide applies the policies, first match wins: the block list, do not
// disturb, forward always, then while busy forward on busy or reject when
// busy; a call that passes them all rings.
func decide(pol Policies, autoAnswer bool, a arrival) verdict {
	switch {
	case blocked(pol.BlockList, a):
		return verdict{outcome: refuseIt, code: 603, reason: api.RefusedBlocked}
	case pol.DND:
		return verdict{outcome: refuseIt, code: dndCode(pol.DNDCode), reason: api.RefusedDND}
	case pol.ForwardAlways != "":
		return verdict{outcome: forwardIt, target: pol.ForwardAlways}
	case a.busy && pol.ForwardOnBusy != "":
		return verdict{outcome: forwardIt, target: pol.ForwardOnBusy}
	case a.busy && pol.RejectWhenBusy:
		return verdict{outcome: refuseIt, code: 486, reason: api.RefusedBusy}
	}
	v := verdict{outcome: ringIt, target: pol.ForwardOnNoAnswer, noAnswer: pol.RingTimeout}
	if v.target != "" && v.noAnswer == 0 {
		v.noAnswer = noAnswerDefault
	}
	if autoAnswer {
		v.autoAnswer = true
	} else if after, asked := answerRequested(a.hints); asked && pol.AutoAnswerHeaders {
		v.autoAnswer, v.answerAfter = true, after
	}
	return v
}

// dndCode is what do not disturb answers: 603 when asked, else 486.
func dndCode(code int) int {
	if code == 603 {
		return 603
	}
	return 486
}

// dndCodes maps the dndAction setting to its SIP status, and back.
var dndCodes = map[string]int{api.DNDBusy: 486, api.DNDDecline: 603}

func dndAction(code int) string {
	if code == 603 {
		return api.DNDDecline
	}
	return api.DNDBusy
}

// blocked reports whether the caller of a is on list. An entry matches the
// caller's user part, its user@host, or its whole URI, without case; a number
// matches whatever its formatting (spaces, dashes, dots, brackets).
func blocked(list []string, a arrival) bool {
	if len(list) == 0 {
		return false
	}
	user := normalCaller(a.fromUser)
	if user == "" {
		user = normalCaller(uriUser(a.from))
	}
	addr := normalCaller(a.from)
	for _, e := range list {
		if e = normalCaller(e); e != "" && (e == user || e == addr) {
			return true
		}
	}
	return false
}

// normalCaller is s without case, a sip: or sips: scheme, URI parameters or
// angle brackets, and a number without its formatting.
func normalCaller(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, "<>")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "sips:"), "sip:")
	if i := strings.IndexAny(s, ";?>"); i >= 0 {
		s = s[:i]
	}
	if isNumber(s) {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' {
				return -1
			}
			return r
		}, s)
	}
	return s
}

// isNumber reports whether s is a telephone number as people write it.
func isNumber(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits > 0
}

// maxAnswerAfter bounds the delay a caller may ask for before we answer.
const maxAnswerAfter = time.Minute

// answerRequested reads the INVITE's request to be answered by itself, the
// intercom and supervisor calls of call centers: Call-Info with answer-after=N
// (seconds), Answer-Mode: Auto (RFC 5373), or Alert-Info saying auto answer
// (info=alert-autoanswer, "auto answer"). It returns how long to wait first.
func answerRequested(hints []string) (time.Duration, bool) {
	for _, h := range hints {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			continue
		}
		value = strings.ToLower(strings.TrimSpace(value))
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "call-info":
			if after, ok := answerAfter(value); ok {
				return after, true
			}
		case "answer-mode":
			mode, _, _ := strings.Cut(value, ";")
			if strings.TrimSpace(mode) == "auto" {
				return 0, true
			}
		case "alert-info":
			if strings.Contains(value, "alert-autoanswer") || strings.Contains(value, "auto answer") ||
				strings.Contains(value, "auto-answer") {
				return 0, true
			}
		}
	}
	return 0, false
}

// answerAfter reads the answer-after parameter of a Call-Info value.
func answerAfter(value string) (time.Duration, bool) {
	if i := strings.LastIndexByte(value, '>'); i >= 0 {
		value = value[i+1:]
	}
	for _, param := range strings.Split(value, ";") {
		k, v, _ := strings.Cut(param, "=")
		if strings.TrimSpace(k) != "answer-after" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return 0, false
		}
		return min(time.Duration(n)*time.Second, maxAnswerAfter), true
	}
	return 0, false
}

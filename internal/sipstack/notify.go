package sipstack

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// The NOTIFYs of our subscriptions (subscribe.go), and the unsolicited ones we were
// told to accept, are answered here before the transfer NOTIFYs of refer.go.

// AcceptUnsolicited makes a NOTIFY of the event package outside any dialog (an
// unsolicited message-summary, which many PBXs send to registered phones) answered
// 200 and reported as a Notified event with no ID, or, with on false, left to the
// 481 every unknown NOTIFY gets.
func (s *Stack) AcceptUnsolicited(event string, on bool) {
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	if s.subs.unsolicited == nil {
		s.subs.unsolicited = map[string]bool{}
	}
	s.subs.unsolicited[strings.ToLower(event)] = on
}

// acceptsUnsolicited reports whether unsolicited NOTIFYs of event are taken.
func (ss *subscriptions) acceptsUnsolicited(event string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.unsolicited[event]
}

// onSubscriptionNotify answers req when it belongs to one of our subscriptions or
// is an unsolicited NOTIFY we accept, and reports whether it did.
func (s *Stack) onSubscriptionNotify(req *sip.Request, tx sip.ServerTransaction) bool {
	ourTag, _ := req.To().Params.Get("tag")
	event := ""
	if h := req.GetHeader("Event"); h != nil {
		event = eventPackage(h.Value())
	}
	if sub := s.subs.find(req.CallID().Value(), ourTag); sub != nil {
		sub.onNotify(req, tx, event)
		return true
	}
	if ourTag == "" && event != "" && s.findCall(req) == nil && s.subs.acceptsUnsolicited(event) {
		s.onUnsolicited(req, tx, event)
		return true
	}
	return false
}

// onNotify answers a NOTIFY in the subscription's dialog: 489 for another event
// package, 400 without a Subscription-State, else 200, and reports its document.
// The first NOTIFY may come before the SUBSCRIBE's 2xx: it establishes the dialog.
// One that ends the subscription wakes the loop.
func (sub *Subscription) onNotify(req *sip.Request, tx sip.ServerTransaction, event string) {
	if event != strings.ToLower(sub.opts.Event) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 489, "Bad Event", nil))
		return
	}
	h := req.GetHeader("Subscription-State")
	if h == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Missing Subscription-State", nil))
		return
	}
	state, reason, _, retry := subscriptionState(h.Value())
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	if err := tx.Respond(res); err != nil {
		sub.log.Warn("NOTIFY answer not sent", "error", err)
	}
	sub.mu.Lock()
	stopped := sub.stopped
	if !sub.dlg.established() {
		tag, _ := req.From().Params.Get("tag")
		var routes []sip.Uri
		for _, h := range req.GetHeaders("Record-Route") {
			if rr, ok := h.(*sip.RecordRouteHeader); ok {
				routes = append(routes, rr.Address)
			}
		}
		sub.dlg.learn(tag, req.Contact(), routes)
	}
	sub.mu.Unlock()
	if stopped {
		return
	}
	sub.st.emit(Notified{ID: sub.id, Event: sub.opts.Event, Target: sub.target.String(), State: state,
		ContentType: contentType(req), Body: req.Body()})
	if state == "terminated" {
		if reason == "" {
			reason = "noreason"
		}
		select {
		case sub.ended <- subOutcome{Terminated: reason, RetryAfter: retry}:
		default: // the loop has one to act on already
		}
	}
}

// onUnsolicited answers an accepted NOTIFY outside any dialog and reports it.
func (s *Stack) onUnsolicited(req *sip.Request, tx sip.ServerTransaction, event string) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	state := "active"
	if h := req.GetHeader("Subscription-State"); h != nil {
		state, _, _, _ = subscriptionState(h.Value())
	}
	s.emit(Notified{Event: event, Target: req.From().Address.String(), State: state,
		ContentType: contentType(req), Body: req.Body()})
}

// contentType is the media type of a request's body, without parameters.
func contentType(req *sip.Request) string {
	h := req.ContentType()
	if h == nil {
		return ""
	}
	v, _, _ := strings.Cut(h.Value(), ";")
	return strings.ToLower(strings.TrimSpace(v))
}
